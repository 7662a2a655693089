/* vmon-internal.h: what the core's files share with each other and with the
 * unit tests; front ends use vmon-core.h only. */
#ifndef VMON_INTERNAL_H
#define VMON_INTERNAL_H

#include <pthread.h>
#include <libvirt/libvirt.h>

#include "vmon-core.h"

typedef struct vmon_event_queue vmon_event_queue;

/* The memory thresholds of vmon_core_config, copied to each connection. */
typedef struct {
    uint64_t cell_low_bytes; /* 0: off */
    uint64_t host_low_bytes; /* 0: off */
    uint64_t hysteresis_bytes;
} vmon_limits;

/* A domain's state as a lifecycle event told it after the last poll: the
 * starting point of reconciliation, with the poll's data. */
typedef struct {
    unsigned char uuid[VMON_UUID_LEN];
    char uuid_str[VMON_UUID_STRLEN + 1];
    char *name;
    bool is_gone; /* undefined */
    bool has_state;
    int state, reason;
    uint64_t seen_ns;
} vmon_live_state;

/* What a connection remembers between polls to tell what changed. Only its
 * poll thread touches it, except `live`, which the event loop thread fills
 * under live_lock. */
typedef struct {
    bool is_up;           /* a poll succeeded since the connection was lost */
    bool is_lost;         /* it was up, then lost: the next success restores */
    uint64_t lost_ns;     /* CLOCK_MONOTONIC when it was lost */
    vmon_host_data *last; /* data of the last successful poll */
    bool has_magic;       /* the fields below hold a known content */
    vmon_magic_status magic_status; /* VMON_MAGIC_OK or VMON_MAGIC_MISSING */
    size_t magic_len;
    unsigned char magic[VMON_MAGIC_MAX];
    bool is_boot_blocked;
    bool is_host_low;
    size_t n_cells;
    bool *is_cell_low; /* indexed by NUMA cell number */
    pthread_mutex_t live_lock;
    vmon_live_state *live;
    size_t n_live;
} vmon_change_track;

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
    int close_reason;   /* virConnectCloseReason that came with it */
    int lifecycle_id;   /* libvirt's callback id; -1 when not registered */
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
    vmon_event_queue *events; /* the core's; NULL: events are discarded */
    vmon_limits limits;
    vmon_change_track track;
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
/* Free memory and NUMA cells, every poll (node info is a per-connect fact
 * of vmon_collect_statics, copied with vmon_host_data_copy_node_info). */
int vmon_collect_node(virConnectPtr conn, vmon_host_data *data);
void vmon_host_data_copy_node_info(vmon_host_data *dst,
                                   const vmon_host_data *src);
int vmon_collect_domains(vmon_conn *vc, vmon_host_data *data);
/* Parse one record of virConnectGetAllDomainStats into `dom`. */
int vmon_domain_from_record(virDomainStatsRecordPtr rec, vmon_domain *dom);

/* magic.c */
void vmon_collect_magic(virConnectPtr conn, vmon_host_data *data);
bool vmon_magic_is_marker(const unsigned char *content, size_t len);

/* events.c: the bounded queue, shared by every thread that produces events
 * and drained by the front end's thread. */
#define VMON_EVENT_QUEUE_MAX 1000000
vmon_event_queue *vmon_event_queue_new(unsigned int len);
void vmon_event_queue_free(vmon_event_queue *queue);
/* Always takes `ev`: when the queue is full (or `ev` is NULL because it
 * could not be allocated) the event is counted as dropped. */
void vmon_event_queue_push(vmon_event_queue *queue, vmon_event *ev);
vmon_event *vmon_event_queue_pop(vmon_event_queue *queue);
int vmon_event_queue_fd(const vmon_event_queue *queue);
uint64_t vmon_event_queue_dropped(vmon_event_queue *queue);
uint64_t vmon_event_queue_total(vmon_event_queue *queue);
uint64_t vmon_monotonic_ns(void);
/* A new event of `vc`, stamped now; NULL when out of memory. */
vmon_event *vmon_event_new(vmon_event_kind kind, const vmon_conn *vc);
/* Queue `ev` on the connection's core (or free it when there is none). */
void vmon_event_emit(vmon_conn *vc, vmon_event *ev);
/* The state and reason a domain is in after a lifecycle event; false for
 * events that leave no domain (undefined) or that the table does not know.
 * DEFINED is not answered here: its state comes from the snapshot. */
bool vmon_event_state_after(int event, int detail, int *state, int *reason);
/* The detail of `event` that leads to `state` and `reason`, or -1. */
int vmon_event_detail_for(int event, int state, int reason);
/* Lifecycle callback on the connection; needs the event loop. */
void vmon_events_register(vmon_conn *vc);
void vmon_events_deregister(vmon_conn *vc);

/* changes.c: events derived on the poll thread by comparing each poll with
 * the one before (connection, reconciliation, magic file, memory). */
void vmon_changes_init(vmon_change_track *track);
void vmon_changes_clear(vmon_change_track *track);
void vmon_changes_conn_lost(vmon_conn *vc, const char *reason);
/* A poll that started at `started_ns` (CLOCK_MONOTONIC) succeeded with
 * `data` (borrowed; a reference is kept). */
void vmon_changes_poll_done(vmon_conn *vc, vmon_host_data *data,
                            uint64_t started_ns);

/* reconcile.c: after an outage, what libvirt's lost events would have told,
 * from the last known state of each domain and the first poll after. */
/* From the event loop thread: libvirt reported `ev`, a lifecycle event. */
void vmon_live_note(vmon_conn *vc, const vmon_event *ev);
void vmon_reconcile(vmon_conn *vc, const vmon_host_data *before,
                    const vmon_host_data *after);
/* Forget the live states seen before `before_ns` (CLOCK_MONOTONIC). */
void vmon_live_prune(vmon_change_track *track, uint64_t before_ns);

/* core.c */
int vmon_pipe_new(int fds[2]);
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
