/* connection.c: one watched URI: its state machine, the libvirt work of a
 * poll, and what a finished, failed or overdue poll publishes. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/virterror.h>

#include "vmon-collect.h"
#include "vmon-conn.h"
#include "vmon-stats.h"
#include "vmon-util.h"
#include "vmon-watch.h"

#define VMON_BACKOFF_MAX_S 60
#define VMON_KEEPALIVE_INTERVAL_S 5
#define VMON_KEEPALIVE_COUNT 3

/* ---- the state machine ---------------------------------------------------
 * disconnected -> connecting -> connected <-> overdue; any failure leads
 * back to disconnected; a connecting call that passes its deadline is
 * overdue too. Every change goes through set_state. */
static bool transition_is_valid(vmon_conn_state from, vmon_conn_state to)
{
    switch (to) {
    case VMON_CONN_CONNECTING:
        return from == VMON_CONN_DISCONNECTED;
    /* a connection opened beside a stuck one (vmon_conn_retire) keeps the
     * state overdue until a poll completes */
    case VMON_CONN_CONNECTED:
        return from != VMON_CONN_DISCONNECTED;
    case VMON_CONN_OVERDUE:
        return from == VMON_CONN_CONNECTING || from == VMON_CONN_CONNECTED;
    case VMON_CONN_DISCONNECTED:
        return true;
    }
    return false;
}

static void set_state(vmon_conn *vc, vmon_conn_state to)
{
    if (vc->state == to)
        return;
    if (!transition_is_valid(vc->state, to))
        vmon_log(VMON_LOG_DEBUG, "'%s': unexpected state change %d -> %d",
                 vc->uri, vc->state, to);
    vc->state = to;
}

unsigned int vmon_default_poll_timeout(unsigned int interval_s)
{
    return interval_s < 1 ? 1 : interval_s > 30 ? 30 : interval_s;
}

static bool sink_state_of(void *opaque, const unsigned char *uuid, int *state,
                          int *reason);
static void sink_changed(void *opaque);
static bool sink_is_retired(void *opaque, virConnectPtr conn);

vmon_conn *vmon_conn_new(const vmon_conn_config *config)
{
    vmon_conn *vc = calloc(1, sizeof(*vc));

    if (!vc)
        return NULL;
    pthread_mutex_init(&vc->lock, NULL);
    pthread_cond_init(&vc->cond, NULL);
    vmon_live_init(&vc->live);
    if (!(vc->uri = strdup(config->uri)) ||
        !(vc->current = vmon_conn_snap_new()) ||
        !(vc->current->configured_uri = strdup(config->uri))) {
        vmon_conn_free(vc);
        return NULL;
    }
    vc->index = config->index;
    vc->interval_s = config->interval_s;
    vc->poll_timeout_s = config->poll_timeout_s
                             ? config->poll_timeout_s
                             : vmon_default_poll_timeout(config->interval_s);
    vc->stats_groups = config->stats_groups;
    memcpy(vc->group_every, config->group_every, sizeof(vc->group_every));
    vc->notify = config->notify;
    vc->notify_opaque = config->notify_opaque;
    vc->emitter = (vmon_emitter){config->events, vc->index, vc->uri};
    vc->sink =
        (vmon_lifecycle_sink){&vc->emitter, &vc->live,       sink_state_of,
                              sink_changed, sink_is_retired, vc};
    vmon_changes_init(&vc->track, &vc->emitter, &vc->live, &config->limits);
    vc->current->index = vc->index;
    vc->current->poll_timeout_s = vc->poll_timeout_s;
    vc->state = VMON_CONN_DISCONNECTED;
    vc->current->state = vc->state;
    vc->has_nowait = 1;
    vc->lifecycle_id = -1;
    return vc;
}

void vmon_conn_free(vmon_conn *vc)
{
    size_t i;

    if (!vc)
        return;
    if (vc->n_workers > 0) {
        vmon_log(VMON_LOG_WARNING,
                 "'%s': %zu libvirt calls never returned; their connection "
                 "is left open",
                 vc->uri, vc->n_workers);
        return;
    }
    for (i = 0; i < vc->n_calls; i++)
        vmon_conn_call_done(vc, vc->calls[i]);
    vmon_conn_disconnect(vc);
    vmon_conn_snap_unref(vc->current);
    vmon_host_data_unref(vc->statics);
    vmon_changes_clear(&vc->track);
    vmon_live_clear(&vc->live);
    pthread_mutex_destroy(&vc->lock);
    pthread_cond_destroy(&vc->cond);
    free(vc->last_error);
    free(vc->overdue_reason);
    free(vc->uri);
    free(vc);
}

vmon_conn_snap *vmon_conn_current(vmon_conn *vc)
{
    vmon_conn_snap *snap;

    pthread_mutex_lock(&vc->lock);
    snap = vmon_conn_snap_ref(vc->current);
    pthread_mutex_unlock(&vc->lock);
    return snap;
}

/* ---- publishing -----------------------------------------------------------
 */

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static const char *stale_reason(const vmon_conn *vc)
{
    switch (vc->state) {
    case VMON_CONN_OVERDUE:
        return vc->overdue_reason;
    case VMON_CONN_CONNECTING:
        return vc->last_error ? vc->last_error : "connecting";
    case VMON_CONN_DISCONNECTED:
        return vc->last_error ? vc->last_error : "not connected";
    default:
        return NULL;
    }
}

static uint32_t count_stale(const vmon_host_data *data)
{
    uint32_t n = 0;
    size_t i;

    for (i = 0; data && i < data->n_domains; i++)
        n += data->domains[i].is_stale;
    return n;
}

static uint32_t count_overdue(vmon_conn *vc)
{
    uint32_t n = 0;
    size_t i;

    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < vc->n_calls; i++)
        n += vc->calls[i]->is_overdue && !vc->calls[i]->is_done;
    pthread_mutex_unlock(&vc->lock);
    return n;
}

/* Publish a new snapshot with `data` (NULL: keep the last data); a new
 * `success` (Unix time of the poll that brought `data`) or 0. */
static void publish(vmon_conn *vc, vmon_host_data *data, time_t success,
                    uint32_t duration_ms)
{
    vmon_conn_snap *snap = vmon_conn_snap_new();
    vmon_conn_snap *old = vc->current;

    if (!snap || !(snap->configured_uri = strdup(vc->uri))) {
        vmon_conn_snap_unref(snap);
        vmon_host_data_unref(data);
        return;
    }
    snap->index = vc->index;
    snap->state = vc->state;
    snap->generation = ++vc->generation;
    snap->poll_errors = vc->poll_errors;
    snap->connects = vc->connects;
    snap->overdues = vc->overdues;
    snap->overdue_calls = count_overdue(vc);
    snap->poll_timeout_s = vc->poll_timeout_s;
    snap->last_attempt = vc->last_attempt;
    snap->data = data ? data : vmon_host_data_ref(old->data);
    snap->last_success = success ? success : old->last_success;
    snap->last_duration_ms = success ? duration_ms : old->last_duration_ms;
    snap->is_stale = snap->data && vc->state != VMON_CONN_CONNECTED;
    snap->stale_domains = count_stale(snap->data);
    snap->last_error = dup_or_null(vc->last_error);
    if (snap->is_stale)
        snap->stale_reason = dup_or_null(stale_reason(vc));
    pthread_mutex_lock(&vc->lock);
    vc->current = snap;
    pthread_mutex_unlock(&vc->lock);
    vmon_conn_snap_unref(old);
    if (vc->notify)
        vc->notify(vc->notify_opaque);
}

/* ---- libvirt's callbacks (event loop thread) ------------------------------
 */

static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    vmon_conn *vc = opaque;

    __atomic_store_n(&vc->close_reason, reason, __ATOMIC_SEQ_CST);
    __atomic_store_n(&vc->closed_conn, conn, __ATOMIC_SEQ_CST);
    vmon_log(VMON_LOG_WARNING, "connection to '%s' closed (reason %d)", vc->uri,
             reason);
    pthread_mutex_lock(&vc->lock);
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
}

/* The live store is newer than the snapshot: a domain renamed (undefined,
 * then defined) keeps the state its events told. */
static bool sink_state_of(void *opaque, const unsigned char *uuid, int *state,
                          int *reason)
{
    vmon_conn *vc = opaque;
    vmon_conn_snap *snap;

    if (vmon_live_state_of(&vc->live, uuid, state, reason))
        return true;
    snap = vmon_conn_current(vc);
    const vmon_domain *dom = vmon_host_data_find_domain(snap->data, uuid);
    bool is_known = dom && (dom->has & VMON_DOM_HAS_STATE);

    if (is_known) {
        *state = dom->state;
        *reason = dom->reason;
    }
    vmon_conn_snap_unref(snap);
    return is_known;
}

/* Under vc->lock: the slot of `conn` among the retired connections, or,
 * for NULL, a free slot. */
static virConnectPtr *retired_slot(vmon_conn *vc, virConnectPtr conn)
{
    size_t i;

    for (i = 0; i < VMON_MAX_CALLS; i++)
        if (vc->retired[i] == conn)
            return &vc->retired[i];
    return NULL;
}

/* Events of a retired connection are told again by the new one. */
static bool sink_is_retired(void *opaque, virConnectPtr conn)
{
    vmon_conn *vc = opaque;
    bool is_retired;

    pthread_mutex_lock(&vc->lock);
    is_retired = conn && retired_slot(vc, conn);
    pthread_mutex_unlock(&vc->lock);
    return is_retired;
}

static void sink_changed(void *opaque)
{
    vmon_conn *vc = opaque;

    pthread_mutex_lock(&vc->lock);
    pthread_cond_broadcast(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
}

/* ---- connecting and disconnecting -----------------------------------------
 */

static void close_conn(virConnectPtr conn, int lifecycle_id)
{
    if (!conn)
        return;
    vmon_lifecycle_deregister(conn, lifecycle_id);
    virConnectUnregisterCloseCallback(conn, on_close);
    virConnectClose(conn);
    virResetLastError();
}

void vmon_conn_disconnect(vmon_conn *vc)
{
    if (!vc->conn)
        return;
    close_conn(vc->conn, vc->lifecycle_id);
    vc->lifecycle_id = -1;
    __atomic_store_n(&vc->closed_conn, NULL, __ATOMIC_SEQ_CST);
    vc->conn = NULL;
    set_state(vc, VMON_CONN_DISCONNECTED);
}

/* In the worker: open, with the callbacks, and read the host facts. */
static int call_connect(vmon_call *call)
{
    vmon_conn *vc = call->vc;
    vmon_collect_ctx ctx = {NULL, vc->uri, 0, &vc->has_nowait, NULL};

    vmon_watch_step("virConnectOpenReadOnly");
    if (!(call->conn = virConnectOpenReadOnly(vc->uri))) {
        vmon_error_capture();
        return -1;
    }
    call->has_connected = true;
    __atomic_store_n(&vc->has_nowait, 1, __ATOMIC_SEQ_CST);
    if (virConnectRegisterCloseCallback(call->conn, on_close, vc, NULL) < 0)
        virResetLastError();
    /* keepalive needs the event loop; local drivers answer "unsupported" */
    if (vc->use_keepalive) {
        if (virConnectSetKeepAlive(call->conn, VMON_KEEPALIVE_INTERVAL_S,
                                   VMON_KEEPALIVE_COUNT) < 0)
            virResetLastError();
        /* every connect registers anew: callbacks die with the connection */
        vmon_watch_step("virConnectDomainEventRegisterAny");
        call->lifecycle_id = vmon_lifecycle_register(call->conn, &vc->sink);
    }
    ctx.conn = call->conn;
    if (!(call->statics = vmon_host_data_new()))
        return -1;
    return vmon_collect_statics(&ctx, call->statics);
}

/* ---- one poll -------------------------------------------------------------
 */

/* Groups due this round. After a gap in the data (first poll, outage)
 * every group is due, so nothing is carried over from before it. */
static unsigned int due_groups(vmon_conn *vc)
{
    unsigned int due = 0, i;

    if (!vc->current->data || vc->state != VMON_CONN_CONNECTED)
        vc->domain_polls = 0;
    for (i = 0; i < VMON_GROUP_COUNT; i++) {
        unsigned int every = vc->group_every[i] ? vc->group_every[i] : 1;

        if (vc->domain_polls % every == 0)
            due |= 1u << i;
    }
    vc->domain_polls++;
    return due & vc->stats_groups;
}

/* libvirt closed the connection in use (a close of one already replaced
 * does not count). */
bool vmon_conn_is_closed(vmon_conn *vc)
{
    return vc->conn &&
           __atomic_load_n(&vc->closed_conn, __ATOMIC_SEQ_CST) == vc->conn;
}

static const char *close_reason_text(int reason)
{
    switch (reason) {
    case VIR_CONNECT_CLOSE_REASON_EOF:
        return "connection closed by libvirtd";
    case VIR_CONNECT_CLOSE_REASON_KEEPALIVE:
        return "libvirtd stopped answering keepalive probes";
    case VIR_CONNECT_CLOSE_REASON_CLIENT:
        return "connection closed by the client";
    default:
        return "connection closed after an error";
    }
}

/* Why the connection is lost: libvirt's close reason says more than the
 * error of a call that was cut off by the close. */
static const char *lost_reason(vmon_conn *vc, const char *error)
{
    if (vmon_conn_is_closed(vc) || !error)
        return close_reason_text(
            __atomic_load_n(&vc->close_reason, __ATOMIC_SEQ_CST));
    return error;
}

vmon_call *vmon_conn_call_new(vmon_conn *vc)
{
    vmon_call *call = calloc(1, sizeof(*call));

    if (!call)
        return NULL;
    if (vmon_conn_is_closed(vc)) {
        vmon_changes_conn_lost(&vc->track, lost_reason(vc, NULL));
        vmon_conn_disconnect(vc);
    }
    call->vc = vc;
    call->seq = ++vc->next_seq;
    {
        struct timespec now;

        clock_gettime(CLOCK_REALTIME, &now);
        call->attempt = now.tv_sec;
        call->attempt_ns =
            (uint64_t)now.tv_sec * 1000000000 + (uint64_t)now.tv_nsec;
    }
    call->started_ns = vmon_monotonic_ns();
    call->lifecycle_id = -1;
    call->used_conn = vc->conn;
    call->groups = due_groups(vc);
    call->prev = vmon_host_data_ref(vc->current->data);
    vc->last_attempt = call->attempt;
    if (vc->conn) {
        call->conn = vc->conn;
        virConnectRef(call->conn);
        call->statics = vmon_host_data_ref(vc->statics);
    } else if (vc->state != VMON_CONN_OVERDUE) {
        set_state(vc, VMON_CONN_CONNECTING);
        publish(vc, NULL, 0, 0);
    }
    return call;
}

/* A host data that starts from the per-connect facts. */
static vmon_host_data *data_from_statics(const vmon_host_data *st)
{
    vmon_host_data *data = vmon_host_data_new();

    if (!data)
        return NULL;
    data->uri = dup_or_null(st->uri);
    data->hostname = dup_or_null(st->hostname);
    data->hv_type = dup_or_null(st->hv_type);
    data->hv_version = st->hv_version;
    data->lib_version = st->lib_version;
    data->max_vcpus = st->max_vcpus;
    data->is_encrypted = st->is_encrypted;
    data->is_secure = st->is_secure;
    vmon_host_data_copy_node_info(data, st);
    return data;
}

void vmon_call_run(vmon_call *call)
{
    vmon_collect_ctx ctx = {call->conn, call->vc->uri, call->groups,
                            &call->vc->has_nowait, call->prev};

    call->rc = -1;
    vmon_error_clear();
    if (!call->conn && call_connect(call) < 0)
        goto failed;
    ctx.conn = call->conn;
    if (!(call->data = data_from_statics(call->statics)) ||
        vmon_collect_node(&ctx, call->data) < 0 ||
        vmon_collect_domains(&ctx, call->data) < 0)
        goto failed;
    vmon_collect_magic(call->conn, call->data);
    call->data->polled = call->attempt;
    call->data->polled_ns = call->attempt_ns;
    call->data->poll_number = call->seq;
    call->rc = 0;
    return;
failed:
    /* the call that failed captured its error: later calls reset it */
    snprintf(call->error, sizeof(call->error), "%s", vmon_error_text());
    virResetLastError();
}

void vmon_conn_retire(vmon_conn *vc)
{
    virConnectPtr *slot;
    bool is_stuck = false;
    size_t i;

    if (!vc->conn)
        return;
    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < vc->n_calls; i++)
        is_stuck |= vc->calls[i]->used_conn == vc->conn &&
                    vc->calls[i]->is_overdue && !vc->calls[i]->is_done;
    if (is_stuck && (slot = retired_slot(vc, NULL))) {
        *slot = vc->conn;
        vc->retired_lifecycle_id[slot - vc->retired] = vc->lifecycle_id;
    } else {
        is_stuck = false;
    }
    pthread_mutex_unlock(&vc->lock);
    if (!is_stuck)
        return;
    vmon_log(VMON_LOG_INFO,
             "'%s': a call is stuck on the connection; the next poll opens "
             "a connection of its own",
             vc->uri);
    /* no RPC here (even unregistering a callback is one): the stuck call's
     * reference keeps the connection until it returns; its callbacks stay
     * till then, muted (sink_is_retired, vmon_conn_is_closed) */
    virConnectClose(vc->conn);
    virResetLastError();
    vc->conn = NULL;
    vc->lifecycle_id = -1;
    __atomic_store_n(&vc->closed_conn, NULL, __ATOMIC_SEQ_CST);
}

/* Once no call uses a retired connection, its event callback goes (the
 * call that was stuck returned, so the connection answers again, or it
 * is closed and the RPC fails at once); the caller's reference keeps the
 * connection until then. */
static void release_retired(vmon_conn *vc, virConnectPtr conn)
{
    virConnectPtr *slot = NULL;
    int lifecycle_id = -1;
    bool is_used = false;
    size_t i;

    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < vc->n_calls; i++)
        is_used |= vc->calls[i]->used_conn == conn;
    if (!is_used && (slot = retired_slot(vc, conn))) {
        *slot = NULL;
        lifecycle_id = vc->retired_lifecycle_id[slot - vc->retired];
    } else {
        slot = NULL;
    }
    pthread_mutex_unlock(&vc->lock);
    if (!slot)
        return;
    vmon_lifecycle_deregister(conn, lifecycle_id);
    if (virConnectUnregisterCloseCallback(conn, on_close) < 0)
        virResetLastError();
}

static void call_free(vmon_call *call)
{
    if (call->used_conn)
        release_retired(call->vc, call->used_conn);
    vmon_host_data_unref(call->prev);
    vmon_host_data_unref(call->data);
    vmon_host_data_unref(call->statics);
    if (call->conn) {
        if (call->has_connected)
            close_conn(call->conn, call->lifecycle_id);
        else
            virConnectClose(call->conn);
    }
    free(call);
}

static void poll_failed(vmon_conn *vc, vmon_call *call)
{
    vmon_log(VMON_LOG_ERR, "poll of '%s' failed: %s", vc->uri, call->error);
    free(vc->last_error);
    vc->last_error = strdup(call->error);
    vmon_changes_conn_lost(&vc->track, lost_reason(vc, call->error));
    vmon_conn_disconnect(vc);
    set_state(vc, VMON_CONN_DISCONNECTED);
    vc->poll_errors++;
    vc->backoff_s = vc->backoff_s ? vc->backoff_s * 2 : 1;
    if (vc->backoff_s > VMON_BACKOFF_MAX_S)
        vc->backoff_s = VMON_BACKOFF_MAX_S;
    publish(vc, NULL, 0, 0);
}

/* The connection a call opened becomes the connection's. */
static void take_connection(vmon_conn *vc, vmon_call *call)
{
    vmon_conn_disconnect(vc);
    vc->conn = call->conn;
    vc->lifecycle_id = call->lifecycle_id;
    call->conn = NULL;
    vmon_host_data_unref(vc->statics);
    vc->statics = call->statics;
    call->statics = NULL;
    vc->connects++;
    vmon_log(VMON_LOG_NOTICE, "connected to '%s' (read-only)", vc->uri);
}

static void poll_succeeded(vmon_conn *vc, vmon_call *call)
{
    vmon_host_data *data = call->data;
    vmon_stats_poll poll = {vc->stats_groups, call->groups, call->attempt,
                            count_overdue(vc) > 0};
    bool has_unknown;

    if (call->has_connected)
        take_connection(vc, call);
    call->data = NULL;
    if (vmon_stats_merge(data, vc->current->data, &poll) < 0) {
        vmon_log(VMON_LOG_ERR, "out of memory merging the poll of '%s'",
                 vc->uri);
        vmon_host_data_unref(data);
        return;
    }
    vc->backoff_s = 0;
    free(vc->last_error);
    vc->last_error = NULL;
    set_state(vc, VMON_CONN_CONNECTED);
    /* compared with the poll's own states (reconciliation after an outage
     * starts from the events before it) ... */
    vmon_changes_poll_done(&vc->track, data, call->started_ns);
    /* ... then events that came after the poll started, being newer */
    vmon_live_apply(&vc->live, data, call->started_ns, &has_unknown);
    publish(vc, data, call->attempt,
            (uint32_t)((vmon_monotonic_ns() - call->started_ns) / 1000000));
}

void vmon_conn_call_done(vmon_conn *vc, vmon_call *call)
{
    size_t i;

    pthread_mutex_lock(&vc->lock);
    for (i = 0; i < vc->n_calls; i++)
        if (vc->calls[i] == call)
            vc->calls[i] = vc->calls[--vc->n_calls];
    pthread_mutex_unlock(&vc->lock);
    /* a later poll already published: this one is history (a failure of a
     * retired connection with no later poll done is the host's: libvirtd
     * stopped answering them both) */
    if (call->seq > vc->done_seq) {
        vc->done_seq = call->seq;
        if (call->rc < 0)
            poll_failed(vc, call);
        else
            poll_succeeded(vc, call);
    }
    call_free(call);
}

void vmon_conn_call_overdue(vmon_conn *vc, const char *what, uint64_t step_ns)
{
    char reason[256];
    unsigned int late_s =
        (unsigned int)((vmon_monotonic_ns() - step_ns) / 1000000000);

    snprintf(reason, sizeof(reason), "%s has not returned for %u s",
             what ? what : "a libvirt call", late_s);
    vmon_log(VMON_LOG_WARNING, "poll of '%s' is overdue: %s", vc->uri, reason);
    free(vc->overdue_reason);
    vc->overdue_reason = strdup(reason);
    vc->overdues++;
    set_state(vc, VMON_CONN_OVERDUE);
    vmon_changes_overdue(&vc->track, reason, step_ns);
    publish(vc, NULL, 0, 0);
}

bool vmon_conn_publish_live(vmon_conn *vc)
{
    vmon_host_data *data;
    bool has_unknown = false;

    if (!vc->current->data)
        return false;
    if (!(data = vmon_host_data_copy(vc->current->data))) {
        vmon_log(VMON_LOG_ERR, "out of memory applying events of '%s'",
                 vc->uri);
        return false;
    }
    if (vmon_live_apply(&vc->live, data, 0, &has_unknown) == 0)
        vmon_host_data_unref(data);
    else
        publish(vc, data, 0, 0);
    return has_unknown;
}
