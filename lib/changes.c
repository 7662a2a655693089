/* changes.c: events the poll thread derives by comparing a poll with the
 * ones before: connection lost/restored, reconciliation, magic, memory. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vmon-internal.h"

#define VMON_MAX_CELL 65535 /* bound of the per-cell state we keep */

void vmon_changes_init(vmon_change_track *track)
{
    memset(track, 0, sizeof(*track));
    pthread_mutex_init(&track->live_lock, NULL);
}

void vmon_changes_clear(vmon_change_track *track)
{
    vmon_host_data_unref(track->last);
    free(track->is_cell_low);
    vmon_live_prune(track, UINT64_MAX);
    free(track->live);
    pthread_mutex_destroy(&track->live_lock);
}

/* Only a connection that was up can be lost; repeated failures while it is
 * down, and failures before it ever came up, say nothing new. */
void vmon_changes_conn_lost(vmon_conn *vc, const char *reason)
{
    vmon_change_track *t = &vc->track;
    vmon_event *ev;

    if (!t->is_up)
        return;
    t->is_up = false;
    t->is_lost = true;
    t->lost_ns = vmon_monotonic_ns();
    ev = vmon_event_new(VMON_EVENT_CONN_LOST, vc);
    if (ev && !(ev->reason_text = strdup(reason))) {
        vmon_event_free(ev);
        ev = NULL;
    }
    vmon_event_emit(vc, ev);
}

static void restored(vmon_conn *vc)
{
    vmon_event *ev = vmon_event_new(VMON_EVENT_CONN_RESTORED, vc);
    uint64_t outage_ns = vmon_monotonic_ns() - vc->track.lost_ns;

    if (ev)
        ev->outage_s = (uint32_t)((outage_ns + 500000000) / 1000000000);
    vmon_event_emit(vc, ev);
}

static void emit_magic(vmon_conn *vc, vmon_event_kind kind,
                       const vmon_host_data *data)
{
    vmon_event *ev = vmon_event_new(kind, vc);

    if (ev && data->magic_status == VMON_MAGIC_OK) {
        ev->magic_len = data->magic_len;
        memcpy(ev->magic, data->magic, data->magic_len);
        ev->is_boot_blocked = data->is_boot_blocked;
    }
    vmon_event_emit(vc, ev);
}

/* Only an answer (a content, or "no such file") is compared: a failed read
 * says nothing about the file, so a change across it is still seen. */
static void check_magic(vmon_conn *vc, const vmon_host_data *data)
{
    vmon_change_track *t = &vc->track;
    size_t len = data->magic_status == VMON_MAGIC_OK ? data->magic_len : 0;

    if (data->magic_status != VMON_MAGIC_OK &&
        data->magic_status != VMON_MAGIC_MISSING)
        return;
    if (t->has_magic &&
        (t->magic_status != data->magic_status || t->magic_len != len ||
         memcmp(t->magic, data->magic, len) != 0))
        emit_magic(vc, VMON_EVENT_MAGIC_CHANGED, data);
    /* a host found blocked at the first poll is reported, like a threshold
     * already crossed; a host found clear is not news */
    if (data->is_boot_blocked != t->is_boot_blocked)
        emit_magic(vc,
                   data->is_boot_blocked ? VMON_EVENT_MARKER_SET
                                         : VMON_EVENT_MARKER_CLEARED,
                   data);
    t->has_magic = true;
    t->magic_status = data->magic_status;
    t->magic_len = len;
    memcpy(t->magic, data->magic, len);
    t->is_boot_blocked = data->is_boot_blocked;
}

/* One threshold with hysteresis: below it is low; only above threshold +
 * hysteresis is it recovered. Returns whether the state flipped. */
static bool crossed(bool *is_low, uint64_t free_bytes, uint64_t threshold,
                    uint64_t hysteresis)
{
    if (!*is_low && free_bytes < threshold) {
        *is_low = true;
        return true;
    }
    if (*is_low && free_bytes > threshold &&
        free_bytes - threshold > hysteresis) {
        *is_low = false;
        return true;
    }
    return false;
}

static void emit_memory(vmon_conn *vc, vmon_event_kind kind, unsigned int cell,
                        uint64_t free_bytes, uint64_t threshold)
{
    vmon_event *ev = vmon_event_new(kind, vc);

    if (ev) {
        ev->cell = cell;
        ev->free_bytes = free_bytes;
        ev->threshold_bytes = threshold;
    }
    vmon_event_emit(vc, ev);
}

static bool *cell_state(vmon_change_track *t, unsigned int cell)
{
    if (cell > VMON_MAX_CELL)
        return NULL;
    if (cell >= t->n_cells) {
        bool *grown = realloc(t->is_cell_low, (cell + 1) * sizeof(*grown));

        if (!grown)
            return NULL;
        memset(grown + t->n_cells, 0, (cell + 1 - t->n_cells) * sizeof(*grown));
        t->is_cell_low = grown;
        t->n_cells = cell + 1;
    }
    return &t->is_cell_low[cell];
}

static void check_memory(vmon_conn *vc, const vmon_host_data *data)
{
    const vmon_limits *lim = &vc->limits;
    size_t i;

    if (lim->host_low_bytes && data->has_free_memory &&
        crossed(&vc->track.is_host_low, data->free_memory_bytes,
                lim->host_low_bytes, lim->hysteresis_bytes))
        emit_memory(vc,
                    vc->track.is_host_low ? VMON_EVENT_HOST_LOW
                                          : VMON_EVENT_HOST_RECOVERED,
                    0, data->free_memory_bytes, lim->host_low_bytes);
    for (i = 0; lim->cell_low_bytes && i < data->n_cells; i++) {
        const vmon_cell *c = &data->cells[i];
        bool *is_low = cell_state(&vc->track, c->cell);

        if (is_low && crossed(is_low, c->free_bytes, lim->cell_low_bytes,
                              lim->hysteresis_bytes))
            emit_memory(
                vc, *is_low ? VMON_EVENT_CELL_LOW : VMON_EVENT_CELL_RECOVERED,
                c->cell, c->free_bytes, lim->cell_low_bytes);
    }
}

void vmon_changes_poll_done(vmon_conn *vc, vmon_host_data *data,
                            uint64_t started_ns)
{
    vmon_change_track *t = &vc->track;

    if (t->is_lost) {
        restored(vc);
        /* libvirt's events were lost with the connection: tell what they
         * would have told, from the difference */
        vmon_reconcile(vc, t->last, data);
        t->is_lost = false;
    }
    /* this poll's data supersedes what events told before it started */
    vmon_live_prune(t, started_ns);
    t->is_up = true;
    check_magic(vc, data);
    check_memory(vc, data);
    vmon_host_data_unref(t->last);
    t->last = vmon_host_data_ref(data);
}
