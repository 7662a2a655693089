/* vmon-core.h: the shared core's entry point. One vmon_core watches a list of
 * libvirt URIs over read-only connections and publishes snapshots. */
#ifndef VMON_CORE_H
#define VMON_CORE_H

#include "vmon-events.h"
#include "vmon-snapshot.h"

typedef enum {
    VMON_LOG_ERR = 3,
    VMON_LOG_WARNING = 4,
    VMON_LOG_NOTICE = 5,
    VMON_LOG_INFO = 6,
    VMON_LOG_DEBUG = 7,
} vmon_log_level; /* syslog priorities, so front ends can pass them through */

typedef void (*vmon_log_fn)(vmon_log_level level, const char *msg,
                            void *opaque);

/* Route every message of the core to one function (snmp_log, collectd's
 * plugin_log, stderr in tests). Default: stderr. Not thread-safe: call first.
 */
void vmon_log_set(vmon_log_fn fn, void *opaque);
void vmon_log(vmon_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Names used by config files, indexed by bit number: "state", "cpu", ... */
extern const char *const vmon_group_names[VMON_GROUP_COUNT];
/* VMON_GROUP_* bit of a name, or 0 when unknown. */
unsigned int vmon_group_from_name(const char *name);

typedef struct {
    char **uris; /* borrowed; copied by vmon_core_new */
    size_t n_uris;
    unsigned int interval_s; /* poll interval, >= 1 */
    /* deadline of every libvirt call of a poll, in seconds; 0: the
     * default, vmon_default_poll_timeout(interval_s) */
    unsigned int poll_timeout_s;
    unsigned int stats_groups; /* VMON_GROUP_* */
    /* poll group i only every group_every[i] polls (0 or 1: every poll);
     * between, its last values are carried over */
    unsigned int group_every[VMON_GROUP_COUNT];
    /* events (vmon-events.h); zero values mean the defaults */
    unsigned int event_queue_len; /* bound of the queue (default 1024) */
    uint64_t cell_low_bytes;      /* 0: no NUMA cell threshold */
    uint64_t host_low_bytes;      /* 0: no host free-memory threshold */
    uint64_t hysteresis_bytes;    /* recovery needs threshold + this */
    /* without the magic file API, read the local system daemon's file
     * directly (qemu:///system and the like only); off by default */
    bool magic_local_read;
} vmon_core_config;

#define VMON_POLL_TIMEOUT_MAX 3600
/* The interval clamped to 1..30 s: a hung libvirtd or guest is flagged
 * within one interval, and within 30 s at long intervals. */
unsigned int vmon_default_poll_timeout(unsigned int interval_s);

typedef struct vmon_core vmon_core;

/* Returns NULL (and logs why) on bad config. Nothing connects until start. */
vmon_core *vmon_core_new(const vmon_core_config *config);
/* Starts the libvirt event loop and one poll thread per URI. */
int vmon_core_start(vmon_core *core);
/* Stops threads and closes connections; safe to call twice. */
void vmon_core_stop(vmon_core *core);
void vmon_core_free(vmon_core *core);

/* Latest snapshot of every connection; never blocks on libvirt.
 * The caller owns one reference: vmon_snapshot_unref when done. */
vmon_snapshot *vmon_core_snapshot(vmon_core *core);

/* A file descriptor that becomes readable whenever a new snapshot is
 * published; vmon_core_drain_wake empties it. For select/poll loops. */
int vmon_core_wake_fd(const vmon_core *core);
void vmon_core_drain_wake(vmon_core *core);

/* Events: the fd becomes readable when events are queued; take them one
 * by one (NULL when empty; the caller frees with vmon_event_free). Only
 * after vmon_core_start are libvirt events registered. A full queue drops
 * the newest event and counts it. */
int vmon_core_event_fd(const vmon_core *core);
vmon_event *vmon_core_next_event(vmon_core *core);
uint64_t vmon_core_events_dropped(const vmon_core *core);
uint64_t vmon_core_events_queued(const vmon_core *core); /* total ever */

/* Tests and one-shot tools: run one poll round of every URI in the calling
 * thread, without starting threads. Returns the number of failed URIs. */
int vmon_core_poll_once(vmon_core *core);

#endif
