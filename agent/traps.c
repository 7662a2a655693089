/* traps.c: takes the core's events on net-snmp's thread (the event fd is in
 * its select loop) and sends them as notifications, within a rate limit. */
#include <config.h>

#include <stdlib.h>
#include <time.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>
#include <net-snmp/agent/agent_callbacks.h>

#include "trap-vars.h"
#include "traps.h"

/* Notifications sent per wake-up. net-snmp writes them to the AgentX
 * socket blocking, and snmpd answers each one on the same socket, blocking
 * too: the loop must come back to read those answers before either side's
 * socket buffer fills, or both wait on each other forever. Returning to the
 * loop also keeps a storm from starving SNMP requests. */
#define BATCH 16

struct vmon_traps {
    vmon_notify_config config;
    vmon_core *core; /* NULL until attached */
    vmon_traps_changed_fn on_changed;
    void *opaque;
    bool is_master_up; /* connected to the master: notifications can go out */
    bool is_reading;   /* the event fd is registered with net-snmp */
    double tokens;     /* rate limit: a token bucket */
    uint64_t refilled_ns;
    uint32_t held_back; /* since the last vmonNotificationsSuppressed */
    unsigned int summary_alarm;
    unsigned int changed_alarm;
    uint64_t sent, limited, failed;
};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

static unsigned int burst(const vmon_traps *t)
{
    return t->config.burst ? t->config.burst : t->config.rate;
}

/* Takes a token if there is one; without a rate there is no limit. */
static bool is_allowed(vmon_traps *t)
{
    uint64_t now = monotonic_ns();

    if (t->config.rate == 0)
        return true;
    t->tokens += (double)(now - t->refilled_ns) * t->config.rate / 1e9;
    if (t->tokens > burst(t))
        t->tokens = burst(t);
    t->refilled_ns = now;
    if (t->tokens < 1)
        return false;
    t->tokens -= 1;
    return true;
}

static void send_vars(vmon_traps *t, netsnmp_variable_list *vars)
{
    if (!vars) {
        snmp_log(LOG_ERR, "out of memory building a notification\n");
        t->failed++;
        return;
    }
    if (netsnmp_send_traps(-1, -1, NULL, 0, vars, NULL, 0) < 0) {
        snmp_log(LOG_ERR, "net-snmp refused a notification\n");
        t->failed++;
    } else {
        t->sent++;
    }
    snmp_free_varbind(vars);
}

/* Once a second while notifications are held back: how many. The summary
 * itself is never held back, and waits for the master like the rest. */
static void on_summary_alarm(unsigned int alarm, void *opaque)
{
    vmon_traps *t = opaque;

    (void)alarm;
    if (!t->is_master_up)
        return;
    if (t->held_back == 0) {
        snmp_alarm_unregister(t->summary_alarm);
        t->summary_alarm = 0;
        return;
    }
    send_vars(t, vmon_trap_vars_suppressed(t->held_back));
    t->held_back = 0;
}

static void hold_back(vmon_traps *t)
{
    t->limited++;
    t->held_back++;
    if (!t->summary_alarm)
        t->summary_alarm =
            snmp_alarm_register(1, SA_REPEAT, on_summary_alarm, t);
}

static void notify(vmon_traps *t, const vmon_event *ev)
{
    if (!is_allowed(t)) {
        hold_back(t);
        return;
    }
    DEBUGMSGTL(("virtmon/traps", "event %d of connection %u, %.3f ms old\n",
                ev->kind, ev->conn_index,
                (double)(monotonic_ns() - ev->seen_ns) / 1e6));
    send_vars(t, vmon_trap_vars_new(ev));
}

static void on_changed_alarm(unsigned int alarm, void *opaque)
{
    vmon_traps *t = opaque;

    (void)alarm;
    t->changed_alarm = 0;
    t->on_changed(t->opaque);
}

/* The counters feed a re-rendered MIB view: once a second is enough. */
static void counters_changed(vmon_traps *t)
{
    if (!t->changed_alarm && t->on_changed)
        t->changed_alarm = snmp_alarm_register(1, 0, on_changed_alarm, t);
}

static void on_events(int fd, void *opaque)
{
    vmon_traps *t = opaque;
    vmon_event *ev;
    int n;

    (void)fd;
    for (n = 0; n < BATCH && (ev = vmon_core_next_event(t->core)); n++) {
        notify(t, ev);
        vmon_event_free(ev);
    }
    counters_changed(t);
}

/* Events are taken only while they can be sent; otherwise they wait in the
 * core's queue, which counts what it cannot hold. */
static void update_reading(vmon_traps *t)
{
    bool should_read = t->core && t->is_master_up;

    if (should_read == t->is_reading)
        return;
    if (should_read)
        register_readfd(vmon_core_event_fd(t->core), on_events, t);
    else
        unregister_readfd(vmon_core_event_fd(t->core));
    t->is_reading = should_read;
}

static int on_master(int major, int minor, void *server, void *client)
{
    vmon_traps *t = client;

    (void)major;
    (void)server;
    t->is_master_up = minor == SNMPD_CALLBACK_INDEX_START;
    DEBUGMSGTL(("virtmon/traps", "master agent %s\n",
                t->is_master_up ? "connected" : "gone"));
    update_reading(t);
    return SNMPERR_SUCCESS;
}

vmon_traps *vmon_traps_new(const vmon_notify_config *config,
                           vmon_traps_changed_fn on_changed, void *opaque)
{
    vmon_traps *t = calloc(1, sizeof(*t));

    if (!t) {
        snmp_log(LOG_ERR, "out of memory setting up notifications\n");
        return NULL;
    }
    t->config = *config;
    t->on_changed = on_changed;
    t->opaque = opaque;
    t->tokens = burst(t);
    t->refilled_ns = monotonic_ns();
    snmp_register_callback(SNMP_CALLBACK_APPLICATION,
                           SNMPD_CALLBACK_INDEX_START, on_master, t);
    snmp_register_callback(SNMP_CALLBACK_APPLICATION, SNMPD_CALLBACK_INDEX_STOP,
                           on_master, t);
    return t;
}

void vmon_traps_attach(vmon_traps *t, vmon_core *core)
{
    t->core = core;
    update_reading(t);
}

void vmon_traps_counters(const vmon_traps *t, vmon_mib_event_counters *out)
{
    out->queued = t->core ? vmon_core_events_queued(t->core) : 0;
    out->dropped =
        t->failed + (t->core ? vmon_core_events_dropped(t->core) : 0);
    out->sent = t->sent;
    out->limited = t->limited;
}

void vmon_traps_free(vmon_traps *t)
{
    if (!t)
        return;
    t->is_master_up = false;
    update_reading(t);
    if (t->summary_alarm)
        snmp_alarm_unregister(t->summary_alarm);
    if (t->changed_alarm)
        snmp_alarm_unregister(t->changed_alarm);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
                             SNMPD_CALLBACK_INDEX_START, on_master, t, 1);
    snmp_unregister_callback(SNMP_CALLBACK_APPLICATION,
                             SNMPD_CALLBACK_INDEX_STOP, on_master, t, 1);
    free(t);
}
