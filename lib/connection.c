/* connection.c: one watched URI: its read-only libvirt connection, the
 * disconnected -> connecting -> connected state machine, and publishing. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <libvirt/virterror.h>

#include "vmon-internal.h"

#define VMON_BACKOFF_MAX_S 60
#define VMON_KEEPALIVE_INTERVAL_S 5
#define VMON_KEEPALIVE_COUNT 3

vmon_conn *vmon_conn_new(unsigned int index, const char *uri,
                         unsigned int interval_s, unsigned int stats_groups)
{
    vmon_conn *vc = calloc(1, sizeof(*vc));

    if (!vc)
        return NULL;
    if (!(vc->uri = strdup(uri)) || !(vc->current = vmon_conn_snap_new()) ||
        !(vc->current->configured_uri = strdup(uri))) {
        vmon_conn_free(vc);
        return NULL;
    }
    vc->index = index;
    vc->current->index = index;
    vc->interval_s = interval_s;
    vc->stats_groups = stats_groups;
    vc->state = VMON_CONN_DISCONNECTED;
    vc->has_nowait = true;
    vc->lifecycle_id = -1;
    vmon_changes_init(&vc->track);
    pthread_mutex_init(&vc->lock, NULL);
    pthread_cond_init(&vc->cond, NULL);
    return vc;
}

void vmon_conn_free(vmon_conn *vc)
{
    if (!vc)
        return;
    vmon_conn_disconnect(vc);
    vmon_conn_snap_unref(vc->current);
    vmon_host_data_unref(vc->statics);
    vmon_changes_clear(&vc->track);
    pthread_mutex_destroy(&vc->lock);
    pthread_cond_destroy(&vc->cond);
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

/* Runs on the event loop thread: only flag it and wake the poll thread. */
static void on_close(virConnectPtr conn, int reason, void *opaque)
{
    vmon_conn *vc = opaque;

    (void)conn;
    __atomic_store_n(&vc->close_reason, reason, __ATOMIC_SEQ_CST);
    __atomic_store_n(&vc->is_closed, 1, __ATOMIC_SEQ_CST);
    vmon_log(VMON_LOG_WARNING, "connection to '%s' closed (reason %d)", vc->uri,
             reason);
    pthread_mutex_lock(&vc->lock);
    pthread_cond_signal(&vc->cond);
    pthread_mutex_unlock(&vc->lock);
}

void vmon_conn_disconnect(vmon_conn *vc)
{
    if (!vc->conn)
        return;
    vmon_events_deregister(vc);
    virConnectUnregisterCloseCallback(vc->conn, on_close);
    virConnectClose(vc->conn);
    virResetLastError();
    /* the flag belongs to the closed connection: left set, it would wake
     * the poll thread at once and defeat the backoff */
    __atomic_store_n(&vc->is_closed, 0, __ATOMIC_SEQ_CST);
    vc->conn = NULL;
    vc->state = VMON_CONN_DISCONNECTED;
}

/* Publish a new snapshot built from `data` (NULL: keep the last data). */
static void publish(vmon_conn *vc, vmon_host_data *data, const char *error,
                    time_t attempt, uint32_t duration_ms)
{
    vmon_conn_snap *snap = vmon_conn_snap_new();
    vmon_conn_snap *old;

    if (!snap || !(snap->configured_uri = strdup(vc->uri))) {
        vmon_conn_snap_unref(snap);
        vmon_host_data_unref(data);
        return;
    }
    old = vc->current;
    snap->index = vc->index;
    snap->state = vc->state;
    snap->generation = ++vc->generation;
    snap->poll_errors = vc->poll_errors;
    snap->connects = vc->connects;
    snap->last_attempt = attempt ? attempt : old->last_attempt;
    if (data) {
        snap->data = data;
        snap->last_success = attempt;
        snap->last_duration_ms = duration_ms;
    } else {
        snap->data = vmon_host_data_ref(old->data);
        snap->last_success = old->last_success;
        snap->last_duration_ms = old->last_duration_ms;
        snap->is_stale = snap->data != NULL;
    }
    if (error)
        snap->last_error = strdup(error);
    pthread_mutex_lock(&vc->lock);
    vc->current = snap;
    pthread_mutex_unlock(&vc->lock);
    vmon_conn_snap_unref(old);
    if (vc->core)
        vmon_core_notify(vc->core);
}

static int connect_uri(vmon_conn *vc)
{
    vmon_host_data *statics;

    vc->state = VMON_CONN_CONNECTING;
    publish(vc, NULL, NULL, 0, 0);
    vc->conn = virConnectOpenReadOnly(vc->uri);
    if (!vc->conn) {
        vmon_error_capture();
        return -1;
    }
    __atomic_store_n(&vc->is_closed, 0, __ATOMIC_SEQ_CST);
    if (virConnectRegisterCloseCallback(vc->conn, on_close, vc, NULL) < 0)
        virResetLastError();
    /* keepalive needs the event loop; local drivers answer "unsupported" */
    if (vc->use_keepalive &&
        virConnectSetKeepAlive(vc->conn, VMON_KEEPALIVE_INTERVAL_S,
                               VMON_KEEPALIVE_COUNT) < 0)
        virResetLastError();
    /* every connect registers anew: callbacks die with the connection */
    if (vc->use_keepalive)
        vmon_events_register(vc);
    if (!(statics = vmon_host_data_new()) ||
        vmon_collect_statics(vc->conn, statics) < 0) {
        vmon_host_data_unref(statics);
        return -1;
    }
    vmon_host_data_unref(vc->statics);
    vc->statics = statics;
    vc->has_nowait = true;
    vc->state = VMON_CONN_CONNECTED;
    vc->connects++;
    vmon_log(VMON_LOG_NOTICE, "connected to '%s' (read-only)", vc->uri);
    return 0;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Start a host data from the per-connect facts, then add this round's. */
static vmon_host_data *collect(vmon_conn *vc)
{
    vmon_host_data *data = vmon_host_data_new();
    const vmon_host_data *st = vc->statics;

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
    if (vmon_collect_node(vc->conn, data) < 0 ||
        vmon_collect_domains(vc, data) < 0) {
        vmon_host_data_unref(data);
        return NULL;
    }
    vmon_collect_magic(vc->conn, data);
    return data;
}

static int poll_failed(vmon_conn *vc, time_t attempt)
{
    char error[512];

    snprintf(error, sizeof(error), "%s", vmon_error_text());
    vmon_log(VMON_LOG_ERR, "poll of '%s' failed: %s", vc->uri, error);
    virResetLastError();
    vmon_changes_conn_lost(vc, error);
    vmon_conn_disconnect(vc);
    vc->state = VMON_CONN_DISCONNECTED;
    vc->poll_errors++;
    vc->backoff_s = vc->backoff_s ? vc->backoff_s * 2 : 1;
    if (vc->backoff_s > VMON_BACKOFF_MAX_S)
        vc->backoff_s = VMON_BACKOFF_MAX_S;
    publish(vc, NULL, error, attempt, 0);
    return -1;
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

int vmon_conn_poll(vmon_conn *vc)
{
    time_t attempt = time(NULL);
    uint64_t started_ns = vmon_monotonic_ns();
    uint64_t start = started_ns / 1000000;
    vmon_host_data *data;

    if (vc->conn && __atomic_load_n(&vc->is_closed, __ATOMIC_SEQ_CST)) {
        vmon_changes_conn_lost(vc, close_reason_text(vc->close_reason));
        vmon_conn_disconnect(vc);
    }
    if (!vc->conn && connect_uri(vc) < 0)
        return poll_failed(vc, attempt);
    if (!(data = collect(vc)))
        return poll_failed(vc, attempt);
    vc->backoff_s = 0;
    vmon_changes_poll_done(vc, data, started_ns);
    publish(vc, data, NULL, attempt,
            (uint32_t)(vmon_monotonic_ns() / 1000000 - start));
    return 0;
}

unsigned int vmon_conn_next_delay(const vmon_conn *vc)
{
    /* after a failure, retry on the capped backoff, not the interval */
    return vc->backoff_s ? vc->backoff_s : vc->interval_s;
}
