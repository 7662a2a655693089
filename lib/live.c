/* live.c: the store of domain states told by lifecycle events since the
 * last poll, and their application to the data a connection serves. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>

#include "vmon-live.h"

void vmon_live_init(vmon_live_store *store)
{
    memset(store, 0, sizeof(*store));
    pthread_mutex_init(&store->lock, NULL);
}

void vmon_live_clear(vmon_live_store *store)
{
    vmon_live_prune(store, UINT64_MAX);
    free(store->live);
    pthread_mutex_destroy(&store->lock);
}

static vmon_live_state *live_find(vmon_live_store *store,
                                  const unsigned char *uuid)
{
    size_t i;

    for (i = 0; i < store->n_live; i++)
        if (memcmp(store->live[i].uuid, uuid, VMON_UUID_LEN) == 0)
            return &store->live[i];
    return NULL;
}

static vmon_live_state *live_add(vmon_live_store *store, const vmon_event *ev)
{
    vmon_live_state *grown, *live;
    char *name = strdup(ev->dom_name);

    if (!name ||
        !(grown = realloc(store->live, (store->n_live + 1) * sizeof(*grown)))) {
        free(name);
        return NULL;
    }
    store->live = grown;
    live = &store->live[store->n_live++];
    memset(live, 0, sizeof(*live));
    memcpy(live->uuid, ev->uuid, VMON_UUID_LEN);
    memcpy(live->uuid_str, ev->uuid_str, sizeof(live->uuid_str));
    live->name = name;
    return live;
}

/* Runs on the event loop thread; the lock is never held for long. */
void vmon_live_note(vmon_live_store *store, const vmon_event *ev)
{
    vmon_live_state *live;

    pthread_mutex_lock(&store->lock);
    live = live_find(store, ev->uuid);
    if (live && strcmp(live->name, ev->dom_name) != 0) {
        char *name = strdup(ev->dom_name);

        if (name) {
            free(live->name);
            live->name = name;
        }
    }
    if (live || (live = live_add(store, ev))) {
        live->is_gone = ev->event == VIR_DOMAIN_EVENT_UNDEFINED;
        live->has_state = ev->has_state;
        live->state = ev->state;
        live->reason = ev->reason;
        live->seen_ns = ev->seen_ns;
        live->seen = ev->time.tv_sec;
        store->is_dirty = true;
    }
    pthread_mutex_unlock(&store->lock);
}

void vmon_live_prune(vmon_live_store *store, uint64_t before_ns)
{
    size_t i, kept = 0;

    pthread_mutex_lock(&store->lock);
    for (i = 0; i < store->n_live; i++) {
        if (store->live[i].seen_ns < before_ns)
            free(store->live[i].name);
        else
            store->live[kept++] = store->live[i];
    }
    store->n_live = kept;
    pthread_mutex_unlock(&store->lock);
}

bool vmon_live_take_dirty(vmon_live_store *store)
{
    bool was_dirty;

    pthread_mutex_lock(&store->lock);
    was_dirty = store->is_dirty;
    store->is_dirty = false;
    pthread_mutex_unlock(&store->lock);
    return was_dirty;
}

void vmon_live_copy_free(vmon_live_state *copy, size_t n)
{
    size_t i;

    for (i = 0; copy && i < n; i++)
        free(copy[i].name);
    free(copy);
}

vmon_live_state *vmon_live_copy(vmon_live_store *store, size_t *n)
{
    vmon_live_state *copy;
    size_t i;

    pthread_mutex_lock(&store->lock);
    *n = store->n_live;
    copy = calloc(store->n_live + 1, sizeof(*copy));
    for (i = 0; copy && i < store->n_live; i++) {
        copy[i] = store->live[i];
        if (!(copy[i].name = strdup(store->live[i].name))) {
            vmon_live_copy_free(copy, i);
            copy = NULL;
        }
    }
    pthread_mutex_unlock(&store->lock);
    return copy;
}

static void drop_domain(vmon_host_data *data, vmon_domain *dom)
{
    size_t i = (size_t)(dom - data->domains);

    vmon_domain_clear(dom);
    memmove(dom, dom + 1, (data->n_domains - i - 1) * sizeof(*dom));
    data->n_domains--;
}

size_t vmon_live_apply(vmon_live_store *store, vmon_host_data *data,
                       uint64_t since_ns, bool *has_unknown)
{
    size_t i, changed = 0;

    *has_unknown = false;
    pthread_mutex_lock(&store->lock);
    for (i = 0; i < store->n_live; i++) {
        const vmon_live_state *live = &store->live[i];
        vmon_domain *dom =
            (vmon_domain *)vmon_host_data_find_domain(data, live->uuid);

        if (live->seen_ns < since_ns) {
            continue;
        } else if (!dom) {
            *has_unknown |= !live->is_gone;
        } else if (live->is_gone) {
            drop_domain(data, dom);
            changed++;
        } else if (live->has_state) {
            changed += dom->state != live->state ||
                       dom->reason != live->reason ||
                       !(dom->has & VMON_DOM_HAS_STATE);
            dom->state = live->state;
            dom->reason = live->reason;
            dom->has |= VMON_DOM_HAS_STATE;
            if (live->seen > dom->group_time[0])
                dom->group_time[0] = live->seen;
        }
    }
    pthread_mutex_unlock(&store->lock);
    return changed;
}
