/* vmon-internal.h: what the core's files share with each other and with the
 * unit tests; front ends use vmon-core.h only. */
#ifndef VMON_INTERNAL_H
#define VMON_INTERNAL_H

#include <pthread.h>
#include <libvirt/libvirt.h>

#include "vmon-core.h"

/* One watched URI: its libvirt connection and the snapshot last published. */
typedef struct vmon_conn {
    unsigned int index;
    char *uri;
    unsigned int stats_groups;
    unsigned int group_every[VMON_GROUP_COUNT];
    unsigned long domain_polls; /* rounds of domain stats since start */
    unsigned int interval_s;
    vmon_conn_state state;
    virConnectPtr conn;
    bool has_nowait;    /* driver accepts ..._STATS_NOWAIT */
    bool use_keepalive; /* an event loop runs: keepalive works */
    int is_closed;      /* set by libvirt's close callback */
    unsigned int backoff_s;
    vmon_host_data *statics; /* host facts fetched once per connect */
    uint32_t poll_errors;
    uint32_t connects;
    uint64_t generation;
    pthread_mutex_t lock; /* guards current, is_stopping, the cond */
    pthread_cond_t cond;
    bool is_stopping;
    vmon_conn_snap *current;
    struct vmon_core *core;
    pthread_t thread;
    bool has_thread;
} vmon_conn;

/* connection.c */
vmon_conn *vmon_conn_new(unsigned int index, const char *uri,
                         unsigned int interval_s, unsigned int stats_groups);
void vmon_conn_free(vmon_conn *vc);
/* One poll round: connect if needed, collect, publish. 0 on success. */
int vmon_conn_poll(vmon_conn *vc);
/* Seconds until the next round should start after the last one. */
unsigned int vmon_conn_next_delay(const vmon_conn *vc);
vmon_conn_snap *vmon_conn_current(vmon_conn *vc);
void vmon_conn_disconnect(vmon_conn *vc);

/* collect.c: each fills `data` from `conn`; -1 means the connection failed. */
int vmon_collect_statics(virConnectPtr conn, vmon_host_data *data);
int vmon_collect_node(virConnectPtr conn, vmon_host_data *data);
int vmon_collect_domains(vmon_conn *vc, vmon_host_data *data);
/* Parse one record of virConnectGetAllDomainStats into `dom`. */
int vmon_domain_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom);

/* magic.c */
void vmon_collect_magic(virConnectPtr conn, vmon_host_data *data);
bool vmon_magic_is_marker(const unsigned char *content, size_t len);

/* core.c */
void vmon_core_notify(struct vmon_core *core);
vmon_conn *vmon_core_conn(struct vmon_core *core, size_t i);

/* eventloop.c: the process-wide libvirt event loop thread. */
int vmon_eventloop_start(void);
void vmon_eventloop_stop(void);
bool vmon_eventloop_is_running(void);

/* Errors: text of libvirt's last error in this thread, or a fallback. */
const char *vmon_virt_error(void);
/* The text of the error that ended the current poll (per thread). */
void vmon_error_capture(void);
const char *vmon_error_text(void);
bool vmon_virt_error_is_unsupported(void);

#endif
