/* vmon-magic-local.h: reading the local magic file directly, by the rules
 * the libvirt extension follows, for hosts whose libvirt lacks the API. */
#ifndef VMON_MAGIC_LOCAL_H
#define VMON_MAGIC_LOCAL_H

#include <stdbool.h>
#include <stddef.h>

#include "vmon-snapshot.h"

/* The system daemon's magic file, RUNSTATEDIR/libvirt/magic_file; on
 * Debian /var/run is /run. */
#define VMON_MAGIC_LOCAL_PATH "/run/libvirt/magic_file"
/* How long a caller waits for one read, in milliseconds. */
#define VMON_MAGIC_LOCAL_TIMEOUT_MS 1000
/* Reads that may be outstanding at once; beyond, reads fail at once. */
#define VMON_MAGIC_LOCAL_READS_MAX 4

typedef struct {
    vmon_magic_status status; /* VMON_MAGIC_OK, _MISSING or _ERROR */
    size_t len;
    unsigned char content[VMON_MAGIC_MAX];
    char error[256]; /* set for VMON_MAGIC_ERROR */
    int errnum;      /* errno of the failure, 0 on success */
} vmon_magic_local;

/* Reads PATH: only a regular file owned by root or by this process's user,
 * never through a symlink, at most VMON_MAGIC_MAX bytes, in a thread of its
 * own that the caller waits for at most VMON_MAGIC_LOCAL_TIMEOUT_MS. The
 * content is cut at the first NUL byte, as the extension returns it. */
void vmon_magic_local_read(const char *path, vmon_magic_local *out);

/* Whether a canonical URI names the system daemon of this host (no host
 * part, path /system, not the test driver), whose file the local read
 * reads. */
bool vmon_magic_uri_is_local_system(const char *uri);

/* Whether the content, without trailing ASCII whitespace, is the marker
 * (defined in magic.c). */
bool vmon_magic_is_marker(const unsigned char *content, size_t len);

/* The opt-in (vmon_core_config.magic_local_read): without the extension,
 * connections to the local system daemon read its file directly. */
void vmon_magic_set_local_read(bool is_on);

#endif
