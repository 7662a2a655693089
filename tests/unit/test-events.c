/* test-events.c: the core's event queue, the lifecycle event table, and the
 * events derived from one poll to the next, driven with hand-made data. */
#include <config.h>

#include <poll.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "check.h"
#include "vmon-changes.h"
#include "vmon-collect.h"
#include "vmon-lifecycle.h"
#include "vmon-util.h"

#define GiB (1024ull * 1024 * 1024)

static bool fd_is_readable(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};

    return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN);
}

/* What a connection keeps to derive events: its emitter, its live states
 * and its change tracking. */
typedef struct {
    vmon_emitter em;
    vmon_live_store live;
    vmon_change_track track;
} tracked;

static tracked *conn_with_queue(vmon_event_queue *queue)
{
    tracked *vc = calloc(1, sizeof(*vc));
    vmon_limits limits = {1 * GiB, 4 * GiB, GiB / 4};

    vc->em = (vmon_emitter){queue, 3, "test:///hand-made"};
    vmon_live_init(&vc->live);
    vmon_changes_init(&vc->track, &vc->em, &vc->live, &limits);
    return vc;
}

static void tracked_free(tracked *vc)
{
    vmon_changes_clear(&vc->track);
    vmon_live_clear(&vc->live);
    free(vc);
}

static void test_full_queue_drops_newest_and_counts_them(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(4);
    tracked *vc = conn_with_queue(queue);
    vmon_event *ev;
    unsigned int i;

    CHECK(!fd_is_readable(vmon_event_queue_fd(queue)));
    for (i = 1; i <= 6; i++) {
        ev = vmon_event_new(VMON_EVENT_MAGIC_CHANGED, &vc->em);
        ev->cell = i; /* marks the order of arrival */
        vmon_event_queue_push(queue, ev);
    }
    vmon_event_queue_push(queue, NULL); /* an event that failed to allocate */
    CHECK_U64(vmon_event_queue_dropped(queue), 3);
    CHECK_U64(vmon_event_queue_total(queue), 4);
    CHECK(fd_is_readable(vmon_event_queue_fd(queue)));
    for (i = 1; i <= 4; i++) {
        ev = vmon_event_queue_pop(queue);
        CHECK(ev != NULL);
        if (!ev)
            break;
        CHECK_U64(ev->cell, i);
        CHECK_STR(ev->uri, "test:///hand-made");
        CHECK_U64(ev->conn_index, 3);
        CHECK(ev->time.tv_sec > 0 && ev->seen_ns > 0);
        vmon_event_free(ev);
        CHECK(fd_is_readable(vmon_event_queue_fd(queue)) == (i < 4));
    }
    CHECK(vmon_event_queue_pop(queue) == NULL);
    /* room again: the queue accepts and signals anew */
    vmon_event_queue_push(queue, vmon_event_new(VMON_EVENT_HOST_LOW, &vc->em));
    CHECK(fd_is_readable(vmon_event_queue_fd(queue)));
    CHECK_U64(vmon_event_queue_total(queue), 5);
    tracked_free(vc);
    vmon_event_queue_free(queue); /* frees the event still queued */
}

static void test_core_refuses_huge_queue(void)
{
    char *uris[] = {(char *)"test:///default"};
    vmon_core_config config = {.uris = uris,
                               .n_uris = 1,
                               .interval_s = 15,
                               .stats_groups = VMON_GROUP_ALL};
    vmon_core *core;

    config.event_queue_len = VMON_EVENT_QUEUE_MAX + 1;
    CHECK(vmon_core_new(&config) == NULL);
    config.event_queue_len = 0; /* the default */
    core = vmon_core_new(&config);
    CHECK(core != NULL);
    CHECK(vmon_core_event_fd(core) >= 0);
    CHECK(vmon_core_next_event(core) == NULL);
    CHECK_U64(vmon_core_events_dropped(core), 0);
    vmon_core_free(core);
}

/* Written from libvirt-domain.h's descriptions of each event detail and of
 * each state reason, independently of lib/events.c's table. */
static const struct {
    int event, detail, state, reason;
} expected_states[] = {
    {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
    {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_MIGRATED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED},
    {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_RESTORED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_RESTORED},
    {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_FROM_SNAPSHOT,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT},
    {VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_WAKEUP,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_WAKEUP},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_MIGRATED,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_MIGRATION},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_IOERROR,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_IOERROR},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_WATCHDOG,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_WATCHDOG},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_RESTORED,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_FROM_SNAPSHOT},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_API_ERROR,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY},
    {VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_POSTCOPY_FAILED,
     VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_POSTCOPY_FAILED},
    {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED},
    {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_MIGRATED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_MIGRATED},
    {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_FROM_SNAPSHOT,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_FROM_SNAPSHOT},
    {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY},
    {VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_POSTCOPY_FAILED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_POSTCOPY_FAILED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_CRASHED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_MIGRATED,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_MIGRATED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_SAVED,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SAVED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED},
    {VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT,
     VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FROM_SNAPSHOT},
    {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED,
     VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN},
    {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_GUEST,
     VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN},
    {VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_HOST,
     VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN},
    {VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_MEMORY,
     VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_UNKNOWN},
    {VIR_DOMAIN_EVENT_PMSUSPENDED, VIR_DOMAIN_EVENT_PMSUSPENDED_DISK,
     VIR_DOMAIN_PMSUSPENDED, VIR_DOMAIN_PMSUSPENDED_DISK_UNKNOWN},
    {VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_PANICKED,
     VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED},
    {VIR_DOMAIN_EVENT_CRASHED, VIR_DOMAIN_EVENT_CRASHED_CRASHLOADED,
     VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED},
};

static void test_every_event_detail_leads_to_its_state(void)
{
    size_t i;

    for (i = 0; i < sizeof(expected_states) / sizeof(expected_states[0]); i++) {
        int state = -1, reason = -1;

        CHECK(vmon_event_state_after(expected_states[i].event,
                                     expected_states[i].detail, &state,
                                     &reason));
        if (state != expected_states[i].state ||
            reason != expected_states[i].reason)
            fprintf(stderr, "event %d detail %d: state %d/%d\n",
                    expected_states[i].event, expected_states[i].detail, state,
                    reason);
        CHECK_U64(state, expected_states[i].state);
        CHECK_U64(reason, expected_states[i].reason);
    }
}

static void test_events_without_table_have_no_state(void)
{
    int state = -1, reason = -1;

    CHECK(!vmon_event_state_after(VIR_DOMAIN_EVENT_UNDEFINED,
                                  VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, &state,
                                  &reason));
    CHECK(!vmon_event_state_after(VIR_DOMAIN_EVENT_DEFINED,
                                  VIR_DOMAIN_EVENT_DEFINED_ADDED, &state,
                                  &reason));
    CHECK(!vmon_event_state_after(42, 0, &state, &reason));
    CHECK(!vmon_event_state_after(-1, 0, &state, &reason));
    /* a detail from a newer libvirt: the type's state, reason unknown */
    CHECK(
        vmon_event_state_after(VIR_DOMAIN_EVENT_STOPPED, 99, &state, &reason));
    CHECK_U64(state, VIR_DOMAIN_SHUTOFF);
    CHECK_U64(reason, VIR_DOMAIN_SHUTOFF_UNKNOWN);
}

static void test_detail_is_found_back_from_state(void)
{
    CHECK_U64(vmon_event_detail_for(VIR_DOMAIN_EVENT_STOPPED,
                                    VIR_DOMAIN_SHUTOFF,
                                    VIR_DOMAIN_SHUTOFF_DESTROYED),
              VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
    CHECK_U64(vmon_event_detail_for(VIR_DOMAIN_EVENT_RESUMED,
                                    VIR_DOMAIN_RUNNING,
                                    VIR_DOMAIN_RUNNING_UNPAUSED),
              VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
    CHECK(vmon_event_detail_for(VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_SHUTOFF,
                                VIR_DOMAIN_SHUTOFF_DAEMON) == -1);
    CHECK(vmon_event_detail_for(VIR_DOMAIN_EVENT_UNDEFINED, 0, 0) == -1);
}

/* Hand-made host data: domains are given in UUID order. */
typedef struct {
    unsigned char id; /* last byte of the UUID */
    const char *name;
    int state, reason;
} dom_spec;

static vmon_host_data *host_with(const dom_spec *specs, size_t n)
{
    vmon_host_data *data = vmon_host_data_new();
    size_t i;

    data->domains = calloc(n ? n : 1, sizeof(*data->domains));
    data->n_domains = n;
    for (i = 0; i < n; i++) {
        vmon_domain *dom = &data->domains[i];

        memset(dom->uuid, 0x11, sizeof(dom->uuid));
        dom->uuid[VMON_UUID_LEN - 1] = specs[i].id;
        snprintf(dom->uuid_str, sizeof(dom->uuid_str),
                 "11111111-1111-1111-1111-1111111111%02x", specs[i].id);
        dom->name = strdup(specs[i].name);
        dom->has = VMON_DOM_HAS_STATE;
        dom->state = specs[i].state;
        dom->reason = specs[i].reason;
    }
    data->magic_status = VMON_MAGIC_MISSING;
    return data;
}

static void poll_done(tracked *vc, vmon_host_data *data)
{
    vmon_changes_poll_done(&vc->track, data, vmon_monotonic_ns());
    vmon_host_data_unref(data);
}

static vmon_event *held;

/* Takes the next event, checks its kind, and keeps it for inspection until
 * the following call (so checks read like a list of expected events). */
static vmon_event *expect(vmon_event_queue *queue, vmon_event_kind kind)
{
    vmon_event_free(held);
    held = vmon_event_queue_pop(queue);
    CHECK(held != NULL);
    if (held && held->kind != kind)
        fprintf(stderr, "event kind %d, expected %d\n", held->kind, kind);
    CHECK(held && held->kind == kind);
    return held;
}

static void release_held(void)
{
    vmon_event_free(held);
    held = NULL;
}

static void expect_lifecycle(vmon_event_queue *queue, const char *name,
                             int event, int detail, int state, int reason)
{
    vmon_event *ev = expect(queue, VMON_EVENT_LIFECYCLE);

    if (!ev || ev->kind != VMON_EVENT_LIFECYCLE)
        return;
    CHECK_STR(ev->dom_name, name);
    CHECK(ev->is_reconciled);
    CHECK_U64(ev->event, event);
    CHECK_U64(ev->detail, detail);
    CHECK(ev->has_state == (state >= 0));
    if (state >= 0) {
        CHECK_U64(ev->state, state);
        CHECK_U64(ev->reason, reason);
    }
}

static void test_reconnect_reports_each_changed_domain(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(64);
    tracked *vc = conn_with_queue(queue);
    const dom_spec before[] = {
        {1, "paused-then-running", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER},
        {2, "unchanged", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {3, "vanished", VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN},
        {5, "destroyed", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {6, "paused", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {7, "started", VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_SHUTDOWN},
    };
    const dom_spec after[] = {
        {1, "paused-then-running", VIR_DOMAIN_RUNNING,
         VIR_DOMAIN_RUNNING_UNPAUSED},
        {2, "unchanged", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {4, "new", VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN},
        {5, "destroyed", VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_DESTROYED},
        {6, "paused", VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER},
        {7, "started", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
    };
    vmon_event *ev;

    poll_done(vc, host_with(before, 6));
    CHECK(vmon_event_queue_pop(queue) == NULL); /* a first poll is no news */
    vmon_changes_conn_lost(&vc->track, "end of file while reading data");
    vmon_changes_conn_lost(&vc->track, "connection refused"); /* still down */
    poll_done(vc, host_with(after, 6));
    ev = expect(queue, VMON_EVENT_CONN_LOST);
    CHECK_STR(ev ? ev->reason_text : NULL, "end of file while reading data");
    ev = expect(queue, VMON_EVENT_CONN_RESTORED);
    CHECK_U64(ev ? ev->outage_s : 99, 0);
    expect_lifecycle(queue, "paused-then-running", VIR_DOMAIN_EVENT_RESUMED,
                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, VIR_DOMAIN_RUNNING,
                     VIR_DOMAIN_RUNNING_UNPAUSED);
    expect_lifecycle(queue, "vanished", VIR_DOMAIN_EVENT_UNDEFINED,
                     VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, -1, 0);
    expect_lifecycle(queue, "new", VIR_DOMAIN_EVENT_DEFINED,
                     VIR_DOMAIN_EVENT_DEFINED_ADDED, VIR_DOMAIN_SHUTOFF,
                     VIR_DOMAIN_SHUTOFF_UNKNOWN);
    expect_lifecycle(queue, "destroyed", VIR_DOMAIN_EVENT_STOPPED,
                     VIR_DOMAIN_EVENT_STOPPED_DESTROYED, VIR_DOMAIN_SHUTOFF,
                     VIR_DOMAIN_SHUTOFF_DESTROYED);
    expect_lifecycle(queue, "paused", VIR_DOMAIN_EVENT_SUSPENDED,
                     VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, VIR_DOMAIN_PAUSED,
                     VIR_DOMAIN_PAUSED_USER);
    ev = expect(queue, VMON_EVENT_LIFECYCLE);
    CHECK_STR(ev ? ev->uuid_str : NULL, "11111111-1111-1111-1111-111111111107");
    CHECK_U64(ev ? ev->event : -1, VIR_DOMAIN_EVENT_STARTED);
    CHECK_U64(ev ? ev->detail : -1, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    /* an ordinary poll after the restore reconciles nothing */
    poll_done(vc, host_with(before, 6));
    CHECK(vmon_event_queue_pop(queue) == NULL);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

/* A lifecycle event as libvirt's callback would have queued it. */
static void note_event(tracked *vc, unsigned char id, const char *name,
                       int event, int state, int reason)
{
    const dom_spec spec = {id, name, state, reason};
    vmon_host_data *one = host_with(&spec, 1);
    vmon_event ev = {.kind = VMON_EVENT_LIFECYCLE, .event = event};

    ev.dom_name = one->domains[0].name;
    memcpy(ev.uuid, one->domains[0].uuid, VMON_UUID_LEN);
    memcpy(ev.uuid_str, one->domains[0].uuid_str, sizeof(ev.uuid_str));
    ev.has_state = event != VIR_DOMAIN_EVENT_UNDEFINED;
    ev.state = state;
    ev.reason = reason;
    ev.seen_ns = vmon_monotonic_ns();
    vmon_live_note(&vc->live, &ev);
    vmon_host_data_unref(one);
}

/* Events that arrived after the last poll and before the outage are what
 * was last known: a change back during the outage is still reported. */
static void test_reconnect_starts_from_events_after_last_poll(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(64);
    tracked *vc = conn_with_queue(queue);
    const dom_spec before[] = {
        {1, "paused-after-poll", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {2, "undefined-after-poll", VIR_DOMAIN_SHUTOFF,
         VIR_DOMAIN_SHUTOFF_SHUTDOWN},
    };
    const dom_spec after[] = {
        {1, "paused-after-poll", VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED},
        {3, "defined-after-poll", VIR_DOMAIN_SHUTOFF,
         VIR_DOMAIN_SHUTOFF_UNKNOWN},
    };

    poll_done(vc, host_with(before, 2));
    note_event(vc, 1, "paused-after-poll", VIR_DOMAIN_EVENT_SUSPENDED,
               VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
    note_event(vc, 2, "undefined-after-poll", VIR_DOMAIN_EVENT_UNDEFINED, 0, 0);
    note_event(vc, 3, "defined-after-poll", VIR_DOMAIN_EVENT_DEFINED,
               VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_UNKNOWN);
    vmon_changes_conn_lost(&vc->track, "end of file while reading data");
    poll_done(vc, host_with(after, 2));
    expect(queue, VMON_EVENT_CONN_LOST);
    expect(queue, VMON_EVENT_CONN_RESTORED);
    /* resumed during the outage; 2 and 3 are as the events said */
    expect_lifecycle(queue, "paused-after-poll", VIR_DOMAIN_EVENT_RESUMED,
                     VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, VIR_DOMAIN_RUNNING,
                     VIR_DOMAIN_RUNNING_BOOTED);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    /* the restore's poll superseded those events */
    CHECK_U64(vc->live.n_live, 0);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

static void test_connection_never_up_is_not_lost(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(8);
    tracked *vc = conn_with_queue(queue);

    vmon_changes_conn_lost(&vc->track, "connection refused");
    CHECK(vmon_event_queue_pop(queue) == NULL);
    poll_done(vc, host_with(NULL, 0));
    CHECK(vmon_event_queue_pop(queue) == NULL); /* nothing to restore */
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

static vmon_host_data *host_with_memory(uint64_t host_free, uint64_t cell0,
                                        uint64_t cell1)
{
    vmon_host_data *data = host_with(NULL, 0);

    data->has_free_memory = true;
    data->free_memory_bytes = host_free;
    data->cells = calloc(2, sizeof(*data->cells));
    data->n_cells = 2;
    data->cells[0] = (vmon_cell){0, cell0};
    data->cells[1] = (vmon_cell){1, cell1};
    return data;
}

static void expect_memory(vmon_event_queue *queue, vmon_event_kind kind,
                          unsigned int cell, uint64_t free_bytes)
{
    vmon_event *ev = expect(queue, kind);

    if (!ev)
        return;
    CHECK_U64(ev->cell, cell);
    CHECK_U64(ev->free_bytes, free_bytes);
    CHECK_U64(ev->threshold_bytes,
              kind == VMON_EVENT_HOST_LOW || kind == VMON_EVENT_HOST_RECOVERED
                  ? 4 * GiB
                  : 1 * GiB);
}

/* Thresholds: host 4 GiB, cells 1 GiB, hysteresis 1/4 GiB. */
static void test_memory_crossings_with_hysteresis(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(64);
    tracked *vc = conn_with_queue(queue);
    const uint64_t q = GiB / 4;

    poll_done(vc, host_with_memory(8 * GiB, 2 * GiB, 2 * GiB));
    CHECK(vmon_event_queue_pop(queue) == NULL); /* above from the start */
    poll_done(vc, host_with_memory(3 * GiB, GiB - 1, 2 * GiB));
    expect_memory(queue, VMON_EVENT_HOST_LOW, 0, 3 * GiB);
    expect_memory(queue, VMON_EVENT_CELL_LOW, 0, GiB - 1);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    /* still low; back over the threshold but inside the hysteresis band */
    poll_done(vc, host_with_memory(2 * GiB, GiB / 2, 2 * GiB));
    poll_done(vc, host_with_memory(4 * GiB + q, GiB + q, 2 * GiB));
    CHECK(vmon_event_queue_pop(queue) == NULL);
    poll_done(vc, host_with_memory(4 * GiB + q + 1, GiB + q + 1, GiB - 1));
    expect_memory(queue, VMON_EVENT_HOST_RECOVERED, 0, 4 * GiB + q + 1);
    expect_memory(queue, VMON_EVENT_CELL_RECOVERED, 0, GiB + q + 1);
    expect_memory(queue, VMON_EVENT_CELL_LOW, 1, GiB - 1);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    /* dipping just under the threshold again is a new crossing */
    poll_done(vc, host_with_memory(4 * GiB - 1, GiB + q + 1, GiB - 1));
    expect_memory(queue, VMON_EVENT_HOST_LOW, 0, 4 * GiB - 1);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

static void test_first_poll_already_low_is_reported(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(8);
    tracked *vc = conn_with_queue(queue);

    vc->track.limits.host_low_bytes = 0; /* off: cells only */
    poll_done(vc, host_with_memory(1, 2 * GiB, 0));
    expect_memory(queue, VMON_EVENT_CELL_LOW, 1, 0);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

static vmon_host_data *host_with_magic(vmon_magic_status status,
                                       const char *content)
{
    vmon_host_data *data = host_with(NULL, 0);

    data->magic_status = status;
    if (content) {
        data->magic_len = strlen(content);
        memcpy(data->magic, content, data->magic_len);
        data->is_boot_blocked =
            vmon_magic_is_marker(data->magic, data->magic_len);
    }
    return data;
}

static void test_magic_changes_and_marker_flips(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(16);
    tracked *vc = conn_with_queue(queue);
    vmon_event *ev;

    poll_done(vc, host_with_magic(VMON_MAGIC_OK, "hello"));
    CHECK(vmon_event_queue_pop(queue) == NULL);
    poll_done(vc, host_with_magic(VMON_MAGIC_OK, "hello"));
    CHECK(vmon_event_queue_pop(queue) == NULL);
    poll_done(vc, host_with_magic(VMON_MAGIC_OK, "0xabadcafe\n"));
    ev = expect(queue, VMON_EVENT_MAGIC_CHANGED);
    CHECK(ev && ev->magic_len == 11 && !memcmp(ev->magic, "0xabadcafe\n", 11));
    CHECK(ev && ev->is_boot_blocked);
    expect(queue, VMON_EVENT_MARKER_SET);
    /* a failed read says nothing; the change across it still shows */
    poll_done(vc, host_with_magic(VMON_MAGIC_ERROR, NULL));
    CHECK(vmon_event_queue_pop(queue) == NULL);
    poll_done(vc, host_with_magic(VMON_MAGIC_MISSING, NULL));
    ev = expect(queue, VMON_EVENT_MAGIC_CHANGED);
    CHECK_U64(ev ? ev->magic_len : 99, 0);
    expect(queue, VMON_EVENT_MARKER_CLEARED);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

static void test_host_blocked_at_first_poll_is_reported(void)
{
    vmon_event_queue *queue = vmon_event_queue_new(8);
    tracked *vc = conn_with_queue(queue);

    poll_done(vc, host_with_magic(VMON_MAGIC_OK, "0xabadcafe"));
    expect(queue, VMON_EVENT_MARKER_SET);
    CHECK(vmon_event_queue_pop(queue) == NULL);
    release_held();
    tracked_free(vc);
    vmon_event_queue_free(queue);
}

/* Waits (bounded) for the next lifecycle event of the started core. */
static vmon_event *wait_lifecycle(vmon_core *core)
{
    struct pollfd pfd = {.fd = vmon_core_event_fd(core), .events = POLLIN};
    vmon_event *ev;
    int tries;

    for (tries = 0; tries < 100; tries++) {
        while ((ev = vmon_core_next_event(core))) {
            if (ev->kind == VMON_EVENT_LIFECYCLE)
                return ev;
            vmon_event_free(ev);
        }
        poll(&pfd, 1, 100);
    }
    return NULL;
}

static void check_lifecycle(vmon_core *core, const char *name, int event,
                            int detail, int state, int reason)
{
    vmon_event *ev = wait_lifecycle(core);

    CHECK(ev != NULL);
    if (!ev)
        return;
    CHECK_STR(ev->dom_name, name);
    CHECK_STR(ev->uri, "test:///default");
    CHECK(!ev->is_reconciled);
    CHECK_U64(ev->event, event);
    CHECK_U64(ev->detail, detail);
    CHECK(ev->has_state == (state >= 0));
    if (state >= 0) {
        CHECK_U64(ev->state, state);
        CHECK_U64(ev->reason, reason);
    }
    if (strcmp(name, "short-lived") == 0)
        CHECK_STR(ev->uuid_str, "c7a5fdbd-edaf-9455-926a-d65c16db1809");
    vmon_event_free(ev);
}

static bool wait_connected(vmon_core *core)
{
    int tries;

    for (tries = 0; tries < 100; tries++) {
        vmon_snapshot *snap = vmon_core_snapshot(core);
        bool is_connected = snap->conns[0]->data != NULL;

        vmon_snapshot_unref(snap);
        if (is_connected)
            return true;
        poll(NULL, 0, 50);
    }
    return false;
}

/* test:///default is one host per process: a second, writable connection
 * of the test drives the domains that the core watches read-only. */
static void test_lifecycle_events_reach_the_queue(void)
{
    char *uris[] = {(char *)"test:///default"};
    vmon_core_config config = {.uris = uris,
                               .n_uris = 1,
                               .interval_s = 3600,
                               .stats_groups = VMON_GROUP_STATE};
    vmon_core *core = vmon_core_new(&config);
    virConnectPtr driver = virConnectOpen("test:///default");
    const char *xml = "<domain type='test'><name>short-lived</name>"
                      "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid>"
                      "<memory>65536</memory><os><type>hvm</type></os>"
                      "</domain>";
    virDomainPtr dom = virDomainLookupByName(driver, "test");

    CHECK(vmon_core_start(core) == 0);
    CHECK(wait_connected(core));
    CHECK(virDomainSuspend(dom) == 0);
    check_lifecycle(core, "test", VIR_DOMAIN_EVENT_SUSPENDED,
                    VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, VIR_DOMAIN_PAUSED,
                    VIR_DOMAIN_PAUSED_USER);
    CHECK(virDomainResume(dom) == 0);
    check_lifecycle(core, "test", VIR_DOMAIN_EVENT_RESUMED,
                    VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, VIR_DOMAIN_RUNNING,
                    VIR_DOMAIN_RUNNING_UNPAUSED);
    CHECK(virDomainDestroy(dom) == 0);
    check_lifecycle(core, "test", VIR_DOMAIN_EVENT_STOPPED,
                    VIR_DOMAIN_EVENT_STOPPED_DESTROYED, VIR_DOMAIN_SHUTOFF,
                    VIR_DOMAIN_SHUTOFF_DESTROYED);
    CHECK(virDomainCreate(dom) == 0);
    check_lifecycle(core, "test", VIR_DOMAIN_EVENT_STARTED,
                    VIR_DOMAIN_EVENT_STARTED_BOOTED, VIR_DOMAIN_RUNNING,
                    VIR_DOMAIN_RUNNING_BOOTED);
    virDomainFree(dom);
    /* a domain already gone when its event is read still has its name */
    dom = virDomainDefineXML(driver, xml);
    CHECK(dom && virDomainUndefine(dom) == 0);
    check_lifecycle(core, "short-lived", VIR_DOMAIN_EVENT_DEFINED,
                    VIR_DOMAIN_EVENT_DEFINED_ADDED, VIR_DOMAIN_SHUTOFF,
                    VIR_DOMAIN_SHUTOFF_UNKNOWN);
    check_lifecycle(core, "short-lived", VIR_DOMAIN_EVENT_UNDEFINED,
                    VIR_DOMAIN_EVENT_UNDEFINED_REMOVED, -1, 0);
    CHECK_U64(vmon_core_events_dropped(core), 0);
    if (dom)
        virDomainFree(dom);
    vmon_core_free(core);
    virConnectClose(driver);
}

int main(void)
{
    RUN(test_full_queue_drops_newest_and_counts_them);
    RUN(test_core_refuses_huge_queue);
    RUN(test_every_event_detail_leads_to_its_state);
    RUN(test_events_without_table_have_no_state);
    RUN(test_detail_is_found_back_from_state);
    RUN(test_reconnect_reports_each_changed_domain);
    RUN(test_reconnect_starts_from_events_after_last_poll);
    RUN(test_connection_never_up_is_not_lost);
    RUN(test_memory_crossings_with_hysteresis);
    RUN(test_first_poll_already_low_is_reported);
    RUN(test_magic_changes_and_marker_flips);
    RUN(test_host_blocked_at_first_poll_is_reported);
    RUN(test_lifecycle_events_reach_the_queue);
    return check_failures ? 1 : 0;
}
