/* changes.c: events a connection derives by comparing a poll with the ones
 * before: connection lost/restored/overdue, reconciliation, magic, memory,
 * stale domains. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmon-changes.h"
#include "vmon-core.h"
#include "vmon-reconcile.h"
#include "vmon-util.h"

#define VMON_MAX_CELL 65535 /* bound of the per-cell state we keep */

void vmon_changes_init(vmon_change_track *track, const vmon_emitter *em,
                       vmon_live_store *live, const vmon_limits *limits)
{
    memset(track, 0, sizeof(*track));
    track->emitter = em;
    track->live = live;
    track->limits = *limits;
}

void vmon_changes_clear(vmon_change_track *track)
{
    vmon_host_data_unref(track->last);
    track->last = NULL;
    free(track->is_cell_low);
    track->is_cell_low = NULL;
}

static void emit_text(vmon_change_track *t, vmon_event_kind kind,
                      const char *text, const vmon_domain *dom)
{
    vmon_event *ev = vmon_event_new(kind, t->emitter);

    if (ev && ((text && !(ev->reason_text = strdup(text))) ||
               (dom && !(ev->dom_name = strdup(dom->name))))) {
        vmon_event_free(ev);
        ev = NULL;
    }
    if (ev && dom) {
        memcpy(ev->uuid, dom->uuid, sizeof(ev->uuid));
        memcpy(ev->uuid_str, dom->uuid_str, sizeof(ev->uuid_str));
    }
    vmon_event_emit(t->emitter, ev);
}

/* Only a connection that was up can be lost; repeated failures while it is
 * down, and failures before it ever came up, say nothing new. */
void vmon_changes_conn_lost(vmon_change_track *t, const char *reason)
{
    /* the outage that follows is reported as lost, not as overdue */
    t->is_overdue = false;
    if (!t->is_up)
        return;
    t->is_up = false;
    t->is_lost = true;
    t->lost_ns = vmon_monotonic_ns();
    emit_text(t, VMON_EVENT_CONN_LOST, reason, NULL);
}

/* Only a connection that is up can be overdue: a connect that hangs during
 * an outage is part of the outage, already reported as lost. */
void vmon_changes_overdue(vmon_change_track *t, const char *reason,
                          uint64_t started_ns)
{
    if (t->is_overdue || !t->is_up)
        return;
    t->is_overdue = true;
    t->overdue_ns = started_ns;
    emit_text(t, VMON_EVENT_CONN_OVERDUE, reason, NULL);
}

static uint32_t seconds_since(uint64_t since_ns)
{
    return (uint32_t)((vmon_monotonic_ns() - since_ns + 500000000) /
                      1000000000);
}

static void emit_seconds(vmon_change_track *t, vmon_event_kind kind,
                         uint64_t since_ns)
{
    vmon_event *ev = vmon_event_new(kind, t->emitter);

    if (ev)
        ev->outage_s = seconds_since(since_ns);
    vmon_event_emit(t->emitter, ev);
}

static void emit_magic(vmon_change_track *t, vmon_event_kind kind,
                       const vmon_host_data *data)
{
    vmon_event *ev = vmon_event_new(kind, t->emitter);

    if (ev && data->magic_status == VMON_MAGIC_OK) {
        ev->magic_len = data->magic_len;
        memcpy(ev->magic, data->magic, data->magic_len);
        ev->is_boot_blocked = data->is_boot_blocked;
    }
    vmon_event_emit(t->emitter, ev);
}

/* Only an answer (a content, or "no such file") is compared: a failed read
 * says nothing about the file, so a change across it is still seen. */
static void check_magic(vmon_change_track *t, const vmon_host_data *data)
{
    size_t len = data->magic_status == VMON_MAGIC_OK ? data->magic_len : 0;

    if (data->magic_status != VMON_MAGIC_OK &&
        data->magic_status != VMON_MAGIC_MISSING)
        return;
    if (t->has_magic &&
        (t->magic_status != data->magic_status || t->magic_len != len ||
         memcmp(t->magic, data->magic, len) != 0))
        emit_magic(t, VMON_EVENT_MAGIC_CHANGED, data);
    /* a host found blocked at the first poll is reported, like a threshold
     * already crossed; a host found clear is not news */
    if (data->is_boot_blocked != t->is_boot_blocked)
        emit_magic(t,
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

static void emit_memory(vmon_change_track *t, vmon_event_kind kind,
                        unsigned int cell, uint64_t free_bytes,
                        uint64_t threshold)
{
    vmon_event *ev = vmon_event_new(kind, t->emitter);

    if (ev) {
        ev->cell = cell;
        ev->free_bytes = free_bytes;
        ev->threshold_bytes = threshold;
    }
    vmon_event_emit(t->emitter, ev);
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

static void check_memory(vmon_change_track *t, const vmon_host_data *data)
{
    const vmon_limits *lim = &t->limits;
    size_t i;

    if (lim->host_low_bytes && data->has_free_memory &&
        crossed(&t->is_host_low, data->free_memory_bytes, lim->host_low_bytes,
                lim->hysteresis_bytes))
        emit_memory(
            t, t->is_host_low ? VMON_EVENT_HOST_LOW : VMON_EVENT_HOST_RECOVERED,
            0, data->free_memory_bytes, lim->host_low_bytes);
    for (i = 0; lim->cell_low_bytes && i < data->n_cells; i++) {
        const vmon_cell *c = &data->cells[i];
        bool *is_low = cell_state(t, c->cell);

        if (is_low && crossed(is_low, c->free_bytes, lim->cell_low_bytes,
                              lim->hysteresis_bytes))
            emit_memory(
                t, *is_low ? VMON_EVENT_CELL_LOW : VMON_EVENT_CELL_RECOVERED,
                c->cell, c->free_bytes, lim->cell_low_bytes);
    }
}

/* Which groups of `dom` are carried, and since when, for the report. */
static void stale_text(const vmon_domain *dom, char *buf, size_t len)
{
    size_t used = 0;
    unsigned int g;

    buf[0] = '\0';
    for (g = 1; g < VMON_GROUP_COUNT && used < len; g++) {
        if (!dom->group_misses[g])
            continue;
        used += (size_t)snprintf(buf + used, len - used,
                                 "%s%s missing from %u polls, fetched at %lld",
                                 used ? "; " : "", vmon_group_names[g],
                                 dom->group_misses[g],
                                 (long long)dom->group_time[g]);
    }
}

/* Both lists are sorted by UUID: a domain turning stale or current again is
 * reported; a domain that is new or gone says nothing here. */
static void check_domains(vmon_change_track *t, const vmon_host_data *data)
{
    const vmon_host_data *last = t->last;
    char text[512];
    size_t i;

    for (i = 0; i < data->n_domains; i++) {
        const vmon_domain *dom = &data->domains[i];
        const vmon_domain *old = vmon_host_data_find_domain(last, dom->uuid);
        bool was_stale = old && old->is_stale;

        if (dom->is_stale == was_stale)
            continue;
        stale_text(dom->is_stale ? dom : old, text, sizeof(text));
        emit_text(t,
                  dom->is_stale ? VMON_EVENT_DOMAIN_STALE
                                : VMON_EVENT_DOMAIN_CURRENT,
                  text, dom);
    }
}

void vmon_changes_poll_done(vmon_change_track *t, vmon_host_data *data,
                            uint64_t started_ns)
{
    if (t->is_lost) {
        emit_seconds(t, VMON_EVENT_CONN_RESTORED, t->lost_ns);
        /* libvirt's events were lost with the connection: tell what they
         * would have told, from the difference */
        vmon_reconcile(t->emitter, t->live, t->last, data);
        t->is_lost = false;
    }
    if (t->is_overdue) {
        emit_seconds(t, VMON_EVENT_CONN_OVERDUE_ENDED, t->overdue_ns);
        t->is_overdue = false;
    }
    /* this poll's data supersedes what events told before it started */
    vmon_live_prune(t->live, started_ns);
    t->is_up = true;
    check_magic(t, data);
    check_memory(t, data);
    check_domains(t, data);
    vmon_host_data_unref(t->last);
    t->last = vmon_host_data_ref(data);
}
