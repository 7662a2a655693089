/* reconcile.c: after an outage, one lifecycle event per domain whose state
 * differs between what was last known (last poll, then live events) and the
 * first poll after it, or that appeared or vanished meanwhile. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "vmon-core.h"
#include "vmon-lifecycle.h"
#include "vmon-reconcile.h"

/* One domain as seen at one point in time. */
typedef struct {
    const unsigned char *uuid;
    const char *name;
    const char *uuid_str;
    bool has_state;
    int state, reason;
} known_domain;

static known_domain known_from_domain(const vmon_domain *dom)
{
    return (known_domain){dom->uuid,     dom->name,
                          dom->uuid_str, (dom->has & VMON_DOM_HAS_STATE) != 0,
                          dom->state,    dom->reason};
}

static known_domain known_from_live(const vmon_live_state *live)
{
    return (known_domain){live->uuid,      live->name,  live->uuid_str,
                          live->has_state, live->state, live->reason};
}

static int compare_known(const void *a, const void *b)
{
    return memcmp(((const known_domain *)a)->uuid,
                  ((const known_domain *)b)->uuid, VMON_UUID_LEN);
}

/* The last poll's domains with the live events applied, in UUID order; it
 * points into `data` and `live`; the caller frees it. */
static known_domain *last_known(const vmon_live_state *live, size_t n_live,
                                const vmon_host_data *data, size_t *n)
{
    size_t n_domains = data ? data->n_domains : 0;
    known_domain *known = calloc(n_domains + n_live + 1, sizeof(*known));
    size_t i, kept = 0;

    if (!known)
        return NULL;
    for (i = 0; i < n_domains; i++) {
        const vmon_domain *dom = &data->domains[i];
        bool is_live = false;
        size_t j;

        for (j = 0; j < n_live && !is_live; j++)
            is_live = memcmp(live[j].uuid, dom->uuid, VMON_UUID_LEN) == 0;
        if (!is_live)
            known[kept++] = known_from_domain(dom);
    }
    /* live states replace the poll's, and add the domains defined since */
    for (i = 0; i < n_live; i++)
        if (!live[i].is_gone)
            known[kept++] = known_from_live(&live[i]);
    qsort(known, kept, sizeof(*known), compare_known);
    *n = kept;
    return known;
}

/* The lifecycle event that best explains reaching `after`'s state from
 * `before`'s; -1 when there is none (no state). */
static int reconciled_type(const known_domain *before,
                           const known_domain *after)
{
    switch (after->state) {
    case VIR_DOMAIN_RUNNING:
    case VIR_DOMAIN_BLOCKED:
        return before->state == VIR_DOMAIN_PAUSED ? VIR_DOMAIN_EVENT_RESUMED
                                                  : VIR_DOMAIN_EVENT_STARTED;
    case VIR_DOMAIN_PAUSED:
        return VIR_DOMAIN_EVENT_SUSPENDED;
    case VIR_DOMAIN_SHUTDOWN:
        return VIR_DOMAIN_EVENT_SHUTDOWN;
    case VIR_DOMAIN_SHUTOFF:
        return VIR_DOMAIN_EVENT_STOPPED;
    case VIR_DOMAIN_CRASHED:
        return VIR_DOMAIN_EVENT_CRASHED;
    case VIR_DOMAIN_PMSUSPENDED:
        return VIR_DOMAIN_EVENT_PMSUSPENDED;
    default:
        return -1;
    }
}

/* Fill the event part of a reconciled event; false when no event fits.
 * The detail comes from the reason where the event table leads there, else
 * it is the type's first; state and reason are the poll's, as seen. */
static bool reconciled_event(vmon_event *ev, const known_domain *before,
                             const known_domain *after)
{
    if (!after) {
        ev->event = VIR_DOMAIN_EVENT_UNDEFINED;
        ev->detail = VIR_DOMAIN_EVENT_UNDEFINED_REMOVED;
        return true;
    }
    ev->has_state = after->has_state;
    ev->state = after->state;
    ev->reason = after->reason;
    if (!before) {
        ev->event = VIR_DOMAIN_EVENT_DEFINED;
        ev->detail = VIR_DOMAIN_EVENT_DEFINED_ADDED;
        return true;
    }
    if ((ev->event = reconciled_type(before, after)) < 0)
        return false;
    ev->detail = vmon_event_detail_for(ev->event, after->state, after->reason);
    if (ev->detail < 0)
        ev->detail = 0;
    return true;
}

static void emit_reconciled(const vmon_emitter *em, const known_domain *before,
                            const known_domain *after)
{
    const known_domain *dom = after ? after : before;
    vmon_event *ev = vmon_event_new(VMON_EVENT_LIFECYCLE, em);

    if (ev && !(ev->dom_name = strdup(dom->name))) {
        vmon_event_free(ev);
        ev = NULL;
    }
    if (ev) {
        memcpy(ev->uuid, dom->uuid, sizeof(ev->uuid));
        memcpy(ev->uuid_str, dom->uuid_str, sizeof(ev->uuid_str));
        ev->is_reconciled = true;
        if (!reconciled_event(ev, before, after)) {
            vmon_event_free(ev);
            return;
        }
    }
    vmon_event_emit(em, ev);
}

static bool state_differs(const known_domain *a, const known_domain *b)
{
    return a->has_state && b->has_state &&
           (a->state != b->state || a->reason != b->reason);
}

/* Both lists are sorted by UUID: walk them side by side. */
static void walk(const vmon_emitter *em, const known_domain *before,
                 size_t n_before, const vmon_host_data *after)
{
    size_t i = 0, j = 0;

    while (i < n_before || j < after->n_domains) {
        known_domain b = {0};
        const known_domain *a = i < n_before ? &before[i] : NULL;
        int cmp;

        if (j < after->n_domains)
            b = known_from_domain(&after->domains[j]);
        cmp = !a                      ? 1
              : j == after->n_domains ? -1
                                      : memcmp(a->uuid, b.uuid, VMON_UUID_LEN);
        if (cmp < 0) {
            emit_reconciled(em, a, NULL);
            i++;
        } else if (cmp > 0) {
            emit_reconciled(em, NULL, &b);
            j++;
        } else {
            if (state_differs(a, &b))
                emit_reconciled(em, a, &b);
            i++;
            j++;
        }
    }
}

void vmon_reconcile(const vmon_emitter *em, vmon_live_store *store,
                    const vmon_host_data *before, const vmon_host_data *after)
{
    known_domain *known = NULL;
    vmon_live_state *live;
    size_t n = 0, n_live = 0;

    if (!(live = vmon_live_copy(store, &n_live))) {
        vmon_log(VMON_LOG_ERR, "out of memory reconciling '%s'", em->uri);
        return;
    }
    /* never polled before the outage, and no event since: nothing known */
    if (!before && n_live == 0) {
        vmon_live_copy_free(live, n_live);
        return;
    }
    if ((known = last_known(live, n_live, before, &n)))
        walk(em, known, n, after);
    else
        vmon_log(VMON_LOG_ERR, "out of memory reconciling '%s'", em->uri);
    free(known);
    vmon_live_copy_free(live, n_live);
}
