/* test-core.c: the core against libvirt's test driver, checked against
 * virsh's answers for test:///default and against the fixture node.xml. */
#include <config.h>

#include <dlfcn.h>
#include <poll.h>
#include <stdlib.h>
#include <libvirt/libvirt.h>

#include "check.h"
#include "vmon-collect.h"
#include "vmon-core-internal.h"

static char fixture_uri[4096];

/* Runs a virsh command and returns the first number after `label`. */
static uint64_t virsh_number(const char *args, const char *label)
{
    char cmd[4200], line[512];
    uint64_t value = UINT64_MAX;
    FILE *p;

    snprintf(cmd, sizeof(cmd), "virsh -q %s 2>/dev/null", args);
    if (!(p = popen(cmd, "r")))
        return value;
    while (fgets(line, sizeof(line), p)) {
        char *at = strstr(line, label);
        if (at && value == UINT64_MAX)
            value = strtoull(at + strlen(label), NULL, 10);
    }
    pclose(p);
    return value;
}

static vmon_core *core_for(const char *uri)
{
    char *uris[] = {(char *)uri};
    vmon_core_config config = {.uris = uris,
                               .n_uris = 1,
                               .interval_s = 15,
                               .stats_groups = VMON_GROUP_ALL};

    return vmon_core_new(&config);
}

static vmon_snapshot *poll_once(const char *uri, vmon_core **core)
{
    *core = core_for(uri);
    if (!*core)
        return NULL;
    vmon_core_poll_once(*core);
    return vmon_core_snapshot(*core);
}

static void test_node_info_matches_virsh(void)
{
    vmon_core *core;
    vmon_snapshot *snap = poll_once("test:///default", &core);
    const vmon_host_data *d = snap->conns[0]->data;
    const char *n = "-c test:///default nodeinfo";

    CHECK(snap->conns[0]->state == VMON_CONN_CONNECTED);
    CHECK(d && d->has_node_info);
    CHECK_U64(d->cpus, virsh_number(n, "CPU(s):"));
    CHECK_U64(d->mhz, virsh_number(n, "CPU frequency:"));
    CHECK_U64(d->sockets, virsh_number(n, "CPU socket(s):"));
    CHECK_U64(d->cores, virsh_number(n, "Core(s) per socket:"));
    CHECK_U64(d->threads, virsh_number(n, "Thread(s) per core:"));
    CHECK_U64(d->nodes, virsh_number(n, "NUMA cell(s):"));
    CHECK_U64(d->memory_kib, virsh_number(n, "Memory size:"));
    CHECK_STR(d->cpu_model, "i686"); /* virsh: "CPU model: i686" */
    CHECK_STR(d->uri, "test:///default");
    CHECK_STR(d->hv_type, "TEST");
    CHECK(d->is_secure == VMON_FLAG_TRUE);
    CHECK(d->is_encrypted == VMON_FLAG_FALSE);
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

static void test_cells_free_memory_matches_virsh(void)
{
    vmon_core *core;
    vmon_snapshot *snap = poll_once("test:///default", &core);
    const vmon_host_data *d = snap->conns[0]->data;
    size_t i;

    CHECK_U64(d->n_cells,
              virsh_number("-c test:///default nodeinfo", "NUMA cell(s):"));
    for (i = 0; i < d->n_cells; i++) {
        char label[32];

        snprintf(label, sizeof(label), "%zu:", i);
        CHECK_U64(d->cells[i].free_bytes / 1024,
                  virsh_number("-c test:///default freecell --all", label));
    }
    CHECK(d->has_free_memory);
    CHECK(d->has_cells);
    CHECK_U64(d->free_memory_bytes / 1024,
              virsh_number("-c test:///default freecell", "Total:"));
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

static const unsigned char *uuid_of(const char *str)
{
    static unsigned char uuid[VMON_UUID_LEN];
    size_t i;

    for (i = 0; i < VMON_UUID_LEN; i++) {
        while (*str == '-')
            str++;
        sscanf(str, "%2hhx", &uuid[i]);
        str += 2;
    }
    return uuid;
}

/* Expected values are read off tests/fixtures/node.xml. */
static const struct {
    const char *uuid, *name;
    int state;
    bool is_persistent;
    unsigned int vcpus;
    uint64_t memory_kib, max_kib;
} fixture_domains[] = {
    {"11111111-2222-3333-4444-555555555501", "alpha", 1, true, 2, 786432,
     1048576},
    {"11111111-2222-3333-4444-555555555502", "db server 1", 1, true, 3, 4194304,
     4194304},
    {"11111111-2222-3333-4444-555555555503",
     "\xc3\x9cn\xc3\xaf\x63\xc3\xb8\x64\xc3\xa9-\xd0\xb4\xd0\xbe\xd0\xbc\xd0"
     "\xb5\xd0\xbd-\xe6\xb5\x8b\xe8\xaf\x95",
     3, true, 1, 262144, 524288},
    {"11111111-2222-3333-4444-555555555505", "scratch", 1, false, 1, 131072,
     262144},
    {"11111111-2222-3333-4444-555555555509", "suspended-guest", 7, true, 1,
     131072, 131072},
};

static void test_fixture_domains_match_fixture(void)
{
    vmon_core *core;
    vmon_snapshot *snap = poll_once(fixture_uri, &core);
    const vmon_host_data *d = snap->conns[0]->data;
    size_t i;

    CHECK(d != NULL);
    if (!d)
        goto cleanup;
    CHECK_U64(d->n_domains, 9);
    CHECK(!d->has_cells); /* a file-defined test host has no NUMA cells */
    for (i = 0; i + 1 < d->n_domains; i++)
        CHECK(memcmp(d->domains[i].uuid, d->domains[i + 1].uuid,
                     VMON_UUID_LEN) < 0);
    for (i = 0; i < sizeof(fixture_domains) / sizeof(fixture_domains[0]); i++) {
        const vmon_domain *dom =
            vmon_host_data_find_domain(d, uuid_of(fixture_domains[i].uuid));

        CHECK(dom != NULL);
        if (!dom)
            continue;
        CHECK_STR(dom->name, fixture_domains[i].name);
        CHECK_STR(dom->uuid_str, fixture_domains[i].uuid);
        CHECK_U64(dom->state, fixture_domains[i].state);
        CHECK(dom->is_persistent == fixture_domains[i].is_persistent);
        CHECK_U64(dom->vcpu_current, fixture_domains[i].vcpus);
        CHECK_U64(dom->mem_current_kib, fixture_domains[i].memory_kib);
        CHECK_U64(dom->mem_max_kib, fixture_domains[i].max_kib);
        CHECK(dom->id > 0);
    }
cleanup:
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

static void test_long_name_of_inactive_domain_is_intact(void)
{
    vmon_core *core;
    vmon_snapshot *snap = poll_once(fixture_uri, &core);
    const vmon_domain *dom = vmon_host_data_find_domain(
        snap->conns[0]->data, uuid_of("11111111-2222-3333-4444-555555555504"));

    CHECK(dom != NULL);
    if (dom) {
        CHECK(strlen(dom->name) > 200);
        CHECK(strncmp(dom->name, "archive-0123456789", 18) == 0);
        CHECK(strcmp(dom->name + strlen(dom->name) - 5, "-tail") == 0);
        CHECK(dom->id == -1);
        CHECK_U64(dom->state, VIR_DOMAIN_SHUTOFF);
        CHECK(!(dom->has & VMON_DOM_HAS_CPU_TIME)); /* inactive: no CPU time */
    }
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

static void test_unreachable_uri_is_disconnected_without_data(void)
{
    vmon_core *core;
    vmon_snapshot *snap =
        poll_once("test+unix:///default?socket=/nonexistent/sock", &core);
    const vmon_conn_snap *c = snap->conns[0];

    CHECK(c->state == VMON_CONN_DISCONNECTED);
    CHECK(c->data == NULL);
    CHECK(!c->is_stale);
    CHECK_U64(c->poll_errors, 1);
    CHECK(c->last_error && strstr(c->last_error, "/nonexistent/sock"));
    CHECK(c->last_attempt > 0 && c->last_success == 0);
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

/* A host that stops answering keeps its last data, marked stale. */
static void test_failed_poll_keeps_last_data_as_stale(void)
{
    vmon_core *core;
    vmon_snapshot *before = poll_once("test:///default", &core);
    vmon_conn *vc = vmon_core_conn(core, 0);
    vmon_snapshot *after;
    const vmon_conn_snap *c;

    /* the host goes away: reconnecting to it fails from now on */
    vmon_conn_disconnect(vc);
    free(vc->uri);
    vc->uri = strdup("test+unix:///default?socket=/nonexistent/sock");
    vc->emitter.uri = vc->uri;
    vmon_core_poll_once(core);
    after = vmon_core_snapshot(core);
    c = after->conns[0];
    CHECK(c->state == VMON_CONN_DISCONNECTED);
    CHECK(c->is_stale);
    CHECK(c->data == before->conns[0]->data);
    CHECK(c->last_success == before->conns[0]->last_success);
    CHECK_U64(c->poll_errors, 1);
    CHECK_U64(vmon_conn_next_delay(vc), 1);
    vmon_core_poll_once(core);
    CHECK_U64(vmon_conn_next_delay(vc), 2);
    vmon_snapshot_unref(after);
    vmon_snapshot_unref(before);
    vmon_core_free(core);
}

/* While a reconnection is under way, the stale data still says why the
 * last poll failed: a connecting state never clears the error. */
static void test_error_stays_while_reconnecting(void)
{
    vmon_core *core;
    vmon_snapshot *before = poll_once("test:///default", &core);
    vmon_conn *vc = vmon_core_conn(core, 0);
    vmon_snapshot *during;
    vmon_call *call;
    const vmon_conn_snap *c;

    vmon_conn_disconnect(vc);
    free(vc->uri);
    vc->uri = strdup("test+unix:///default?socket=/nonexistent/sock");
    vc->emitter.uri = vc->uri;
    vmon_core_poll_once(core);
    call = vmon_conn_call_new(vc); /* publishes "connecting" */
    during = vmon_core_snapshot(core);
    c = during->conns[0];
    CHECK(c->state == VMON_CONN_CONNECTING);
    CHECK(c->is_stale);
    CHECK(c->last_error && strstr(c->last_error, "/nonexistent/sock"));
    CHECK(c->stale_reason && strstr(c->stale_reason, "/nonexistent/sock"));
    CHECK(c->last_attempt >= before->conns[0]->last_attempt);
    vmon_call_run(call);
    call->is_done = true;
    vmon_conn_call_done(vc, call);
    vmon_snapshot_unref(during);
    vmon_snapshot_unref(before);
    vmon_core_free(core);
}

static uint64_t cpu_time_after_poll(vmon_core *core, bool is_fresh)
{
    vmon_snapshot *snap;
    uint64_t t;

    vmon_core_poll_once(core);
    snap = vmon_core_snapshot(core);
    t = snap->conns[0]->data->domains[0].cpu_time_ns;
    CHECK(!!(snap->conns[0]->data->fresh_groups & VMON_GROUP_CPU) == is_fresh);
    CHECK(snap->conns[0]->data->fresh_groups & VMON_GROUP_BALLOON);
    CHECK(snap->conns[0]->data->domains[0].has & VMON_DOM_HAS_CPU_TIME);
    vmon_snapshot_unref(snap);
    return t;
}

/* A group polled every third round keeps its last values in between (the
 * test driver's CPU time is the wall clock, so a fresh value differs). */
static void test_group_interval_carries_values_between_polls(void)
{
    char *uris[] = {(char *)"test:///default"};
    vmon_core_config config = {.uris = uris,
                               .n_uris = 1,
                               .interval_s = 15,
                               .stats_groups = VMON_GROUP_ALL};
    vmon_core *core;
    uint64_t first;

    config.group_every[1] = 3; /* "cpu" */
    CHECK_STR(vmon_group_names[1], "cpu");
    CHECK_U64(vmon_group_from_name("cpu"), VMON_GROUP_CPU);
    CHECK_U64(vmon_group_from_name("cpus"), 0);
    core = vmon_core_new(&config);
    first = cpu_time_after_poll(core, true);
    CHECK_U64(cpu_time_after_poll(core, false), first);
    CHECK_U64(cpu_time_after_poll(core, false), first);
    CHECK(cpu_time_after_poll(core, true) > first);
    vmon_core_free(core);
}

static void test_bad_config_is_refused(void)
{
    char *uris[] = {(char *)"test:///default", (char *)""};
    vmon_core_config config = {.uris = uris,
                               .n_uris = 1,
                               .interval_s = 0,
                               .stats_groups = VMON_GROUP_ALL};

    CHECK(vmon_core_new(&config) == NULL); /* interval 0 */
    config.interval_s = 15;
    config.n_uris = 0;
    CHECK(vmon_core_new(&config) == NULL); /* no URI */
    config.n_uris = 2;
    CHECK(vmon_core_new(&config) == NULL); /* empty URI */
    config.n_uris = 1;
    config.stats_groups = 1u << 20;
    CHECK(vmon_core_new(&config) == NULL);
}

static void test_magic_marker_ignores_trailing_whitespace_only(void)
{
    CHECK(vmon_magic_is_marker((const unsigned char *)"0xabadcafe", 10));
    CHECK(vmon_magic_is_marker((const unsigned char *)"0xabadcafe\n", 11));
    CHECK(vmon_magic_is_marker((const unsigned char *)"0xabadcafe \t\n", 13));
    CHECK(vmon_magic_is_marker((const unsigned char *)"0xabadcafe\f\r", 12));
    /* what the patched QEMU driver does: \v and Latin-1's no-break space
     * are no whitespace to it */
    CHECK(!vmon_magic_is_marker((const unsigned char *)"0xabadcafe\v", 11));
    CHECK(!vmon_magic_is_marker((const unsigned char *)"0xabadcafe\240", 11));
    CHECK(!vmon_magic_is_marker((const unsigned char *)" 0xabadcafe", 11));
    CHECK(!vmon_magic_is_marker((const unsigned char *)"0xabadcafe0", 11));
    CHECK(!vmon_magic_is_marker((const unsigned char *)"0xABADCAFE", 10));
    CHECK(!vmon_magic_is_marker((const unsigned char *)"", 0));
}

static void test_magic_status_follows_libvirt_api(void)
{
    vmon_core *core;
    vmon_snapshot *snap = poll_once("test:///default", &core);
    const vmon_host_data *d = snap->conns[0]->data;

    /* stock libvirt lacks the API; the extension's test driver has it */
    if (!dlsym(RTLD_DEFAULT, "virConnectGetMagicFileContent"))
        CHECK(d->magic_status == VMON_MAGIC_UNSUPPORTED);
    else
        CHECK(d->magic_status != VMON_MAGIC_UNSUPPORTED &&
              d->magic_status != VMON_MAGIC_NOT_POLLED);
    CHECK(d->magic_len <= VMON_MAGIC_MAX);
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

/* The threaded path: start, wait for the wake fd, read, stop. */
static void test_started_core_publishes_and_wakes_reader(void)
{
    vmon_core *core = core_for(fixture_uri);
    struct pollfd pfd = {0};
    vmon_snapshot *snap = NULL;
    int tries;

    CHECK(vmon_core_start(core) == 0);
    pfd.fd = vmon_core_wake_fd(core);
    pfd.events = POLLIN;
    for (tries = 0; tries < 50; tries++) {
        if (poll(&pfd, 1, 100) > 0)
            vmon_core_drain_wake(core);
        vmon_snapshot_unref(snap);
        snap = vmon_core_snapshot(core);
        if (snap->conns[0]->state == VMON_CONN_CONNECTED &&
            snap->conns[0]->data)
            break;
    }
    CHECK(snap->conns[0]->data && snap->conns[0]->data->n_domains == 9);
    CHECK(snap->conns[0]->connects == 1);
    vmon_core_stop(core);
    vmon_core_stop(core);
    vmon_snapshot_unref(snap);
    vmon_core_free(core);
}

int main(void)
{
    const char *dir = getenv("VMON_FIXTURES");

    snprintf(fixture_uri, sizeof(fixture_uri), "test://%s/node.xml",
             dir ? dir : FIXTURES_DIR);
    RUN(test_node_info_matches_virsh);
    RUN(test_cells_free_memory_matches_virsh);
    RUN(test_fixture_domains_match_fixture);
    RUN(test_long_name_of_inactive_domain_is_intact);
    RUN(test_unreachable_uri_is_disconnected_without_data);
    RUN(test_failed_poll_keeps_last_data_as_stale);
    RUN(test_error_stays_while_reconnecting);
    RUN(test_group_interval_carries_values_between_polls);
    RUN(test_bad_config_is_refused);
    RUN(test_magic_marker_ignores_trailing_whitespace_only);
    RUN(test_magic_status_follows_libvirt_api);
    RUN(test_started_core_publishes_and_wakes_reader);
    return check_failures ? 1 : 0;
}
