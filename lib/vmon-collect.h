/* vmon-collect.h: the libvirt calls of one poll, turned into vmon_host_data
 * (collect.c: host and node; domains.c: domains; magic.c: the magic file),
 * and the text of libvirt's errors for reports. */
#ifndef VMON_COLLECT_H
#define VMON_COLLECT_H

#include <libvirt/libvirt.h>

#include "vmon-core.h"

/* What one poll works with. */
typedef struct {
    virConnectPtr conn;
    const char *uri;     /* configured URI, named in every message */
    unsigned int groups; /* VMON_GROUP_* to request from the bulk stats */
    int *has_nowait;     /* per connection, atomic: driver takes NOWAIT */
    /* the last poll's data (NULL: none), to tell values libvirt skipped */
    const vmon_host_data *prev;
} vmon_collect_ctx;

/* Each returns -1 when the connection failed (a call that only lost its
 * value logs a warning naming the URI and returns 0). */
/* Host facts, read once per connect: URI, hostname, versions, max vCPUs,
 * node info, security. */
int vmon_collect_statics(const vmon_collect_ctx *ctx, vmon_host_data *data);
/* Free memory and NUMA cells, every poll (node info is a per-connect fact
 * of vmon_collect_statics, copied with vmon_host_data_copy_node_info). */
int vmon_collect_node(const vmon_collect_ctx *ctx, vmon_host_data *data);
void vmon_host_data_copy_node_info(vmon_host_data *dst,
                                   const vmon_host_data *src);
/* One virConnectGetAllDomainStats (ctx->groups and the state), one
 * persistent-domain list, and one virDomainListGetStats for the domains
 * whose values NOWAIT skipped, if any; domains sorted by UUID, nothing
 * carried over. */
int vmon_collect_domains(const vmon_collect_ctx *ctx, vmon_host_data *data);
/* Parse one record of virConnectGetAllDomainStats into `dom`. */
int vmon_domain_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom);

/* magic.c */
void vmon_collect_magic(virConnectPtr conn, vmon_host_data *data);
bool vmon_magic_is_marker(const unsigned char *content, size_t len);

/* Errors: text of libvirt's last error in this thread, or a fallback. */
const char *vmon_virt_error(void);
/* The text of the error that ended the current poll (per thread). */
void vmon_error_capture(void);
void vmon_error_clear(void);
const char *vmon_error_text(void);
bool vmon_virt_error_is_unsupported(void);

#endif
