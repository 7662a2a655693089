/* vmon-conn.h: one watched URI: its read-only libvirt connection, its state
 * machine, the polls that run under a deadline in worker threads, and the
 * snapshots it publishes. */
#ifndef VMON_CONN_H
#define VMON_CONN_H

#include <pthread.h>
#include <libvirt/libvirt.h>

#include "vmon-changes.h"
#include "vmon-core.h"
#include "vmon-lifecycle.h"
#include "vmon-live.h"
#include "vmon-queue.h"

/* Polls of one connection that may run at once: the current one and one
 * stuck past its deadline. While that many are stuck no poll starts, so a
 * hung libvirtd holds at most this many threads (and none of libvirtd's
 * per-client request slots beyond them). */
#define VMON_MAX_CALLS 2

typedef void (*vmon_conn_notify_fn)(void *opaque);

typedef struct {
    unsigned int index; /* 1-based position in the configuration */
    const char *uri;    /* copied */
    unsigned int interval_s;
    unsigned int poll_timeout_s; /* 0: vmon_default_poll_timeout */
    unsigned int stats_groups;   /* VMON_GROUP_* */
    unsigned int group_every[VMON_GROUP_COUNT];
    vmon_limits limits;
    vmon_event_queue *events;   /* NULL: events are discarded */
    vmon_conn_notify_fn notify; /* a snapshot was published (any thread) */
    void *notify_opaque;
} vmon_conn_config;

typedef struct vmon_call vmon_call;

typedef struct vmon_conn {
    /* set at creation, read-only after */
    unsigned int index;
    char *uri;
    unsigned int interval_s, poll_timeout_s, stats_groups;
    unsigned int group_every[VMON_GROUP_COUNT];
    vmon_conn_notify_fn notify;
    void *notify_opaque;
    vmon_emitter emitter;
    vmon_lifecycle_sink sink;
    vmon_live_store live;
    /* the supervisor's (or the caller's, without threads) */
    vmon_conn_state state;
    virConnectPtr conn; /* one reference; each running call holds another */
    int lifecycle_id;   /* libvirt's callback id; -1 when not registered */
    vmon_host_data *statics; /* host facts fetched once per connect */
    bool use_keepalive;      /* an event loop runs: keepalive works */
    unsigned int backoff_s;
    unsigned long domain_polls; /* rounds of domain stats since connect */
    uint32_t poll_errors, connects, overdues;
    uint64_t generation;
    uint64_t next_seq, done_seq; /* calls started; latest call handled */
    time_t last_attempt;
    char *last_error; /* of the last failed poll; NULL after a success */
    char *overdue_reason;
    vmon_change_track track;
    /* shared with worker threads and libvirt's callbacks */
    int has_nowait;            /* atomic: the driver accepts ..._STATS_NOWAIT */
    virConnectPtr closed_conn; /* atomic: set by libvirt's close callback */
    int close_reason;          /* virConnectCloseReason that came with it */
    pthread_mutex_t lock;      /* guards what follows */
    pthread_cond_t cond;       /* signalled on every change of it */
    bool is_stopping;
    vmon_call *calls[VMON_MAX_CALLS]; /* started, not yet handled */
    size_t n_calls;
    /* connections left to calls stuck on them (see vmon_conn_retire) */
    virConnectPtr retired[VMON_MAX_CALLS];
    int retired_lifecycle_id[VMON_MAX_CALLS]; /* their event callbacks */
    size_t n_workers;                         /* worker threads alive */
    vmon_conn_snap *current;
    pthread_t thread;
    bool has_thread;
} vmon_conn;

vmon_conn *vmon_conn_new(const vmon_conn_config *config);
/* Frees `vc` unless worker threads are still stuck in libvirt (after
 * vmon_conn_stop gave up on them): then it is left to them. */
void vmon_conn_free(vmon_conn *vc);
/* The latest snapshot; the caller owns one reference. */
vmon_conn_snap *vmon_conn_current(vmon_conn *vc);

/* poller.c: the supervisor thread, which starts a poll every interval in a
 * worker thread and watches its deadline. */
int vmon_conn_start(vmon_conn *vc);
/* Stops the supervisor, waits a bounded time for the workers, closes the
 * connection; safe to call twice. */
void vmon_conn_stop(vmon_conn *vc);
/* One poll round in the calling thread, without a deadline (tests and
 * one-shot tools): connect if needed, collect, publish. 0 on success. */
int vmon_conn_poll(vmon_conn *vc);
/* Seconds until the next round should start after the last one. */
unsigned int vmon_conn_next_delay(const vmon_conn *vc);

/* connection.c, for poller.c: what the supervisor does with a call. */
/* A new call of the next poll (NULL when out of memory). */
vmon_call *vmon_conn_call_new(vmon_conn *vc);
/* The libvirt part of a call: runs in a worker thread, touches only the
 * call (and libvirt's thread-safe connection). */
void vmon_call_run(vmon_call *call);
/* The call is done: publish what it brought (or discard it when a later
 * poll already did) and free it. */
void vmon_conn_call_done(vmon_conn *vc, vmon_call *call);
/* A call passed its deadline: `what` has run since `step_ns`. */
void vmon_conn_call_overdue(vmon_conn *vc, const char *what, uint64_t step_ns);
/* Lifecycle events changed domain states: publish them at once. True when
 * an event names a domain the data lacks (a poll should fetch it). */
bool vmon_conn_publish_live(vmon_conn *vc);
void vmon_conn_disconnect(vmon_conn *vc);
/* libvirt closed the connection in use (keepalive, libvirtd gone). */
bool vmon_conn_is_closed(vmon_conn *vc);
/* Before a poll starts: when an overdue call waits on the connection, the
 * connection is left to it and the poll opens one of its own. libvirt's
 * client hands other calls their replies late (at the daemon's next
 * keepalive probe, up to 5 s) while one call on the same connection waits
 * for an answer that does not come. No RPC is made. */
void vmon_conn_retire(vmon_conn *vc);

/* The parts of a call the supervisor watches (under vc->lock). */
struct vmon_call {
    vmon_conn *vc;
    uint64_t seq;
    time_t attempt;      /* Unix time it started */
    uint64_t attempt_ns; /* the same, CLOCK_REALTIME in nanoseconds */
    uint64_t started_ns; /* CLOCK_MONOTONIC */
    unsigned int groups; /* VMON_GROUP_* requested */
    const char *what;    /* the libvirt call running, or NULL */
    uint64_t step_ns;    /* since when */
    bool is_overdue, is_done;
    virConnectPtr used_conn; /* the connection it started with, or NULL */
    /* owned by the worker until is_done */
    virConnectPtr conn; /* a reference; NULL: the call connects */
    bool has_connected;
    int lifecycle_id;
    vmon_host_data *statics; /* a reference */
    vmon_host_data *prev;    /* a reference to the last published data */
    int rc;
    char error[512];
    vmon_host_data *data;
};

#endif
