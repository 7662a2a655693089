/* main.c: virtmon-agent, a net-snmp AgentX subagent that publishes
 * VIRTMON-MIB from the core's snapshots: command line, start-up, main loop. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include "agent-config.h"
#include "daemon.h"
#include "log-relay.h"
#include "mib-handler.h"
#include "traps.h"
#include "vmon-core.h"

#define APP_NAME "virtmon-agent"
#define DEFAULT_CONFIG SYSCONFDIR "/virtmon/virtmon-agent.conf"

typedef struct {
    bool is_foreground;
    bool has_log_option;
    const char *config_path;
    bool is_config_given;
    const char *agentx;
    char **uris; /* from -u, pointing into argv */
    size_t n_uris;
    const char *interval;
    const char *pid_file;
} options;

typedef struct {
    vmon_agent_config *config;
    vmon_mib_agent_info info;
    vmon_core *core;
    vmon_mib_handler *handler;
    vmon_traps *traps;
    const char *pid_file; /* set once written */
    volatile bool is_stopping;
} agent;

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: " APP_NAME " [OPTION]...\n"
            "Publish libvirt host monitoring data as VIRTMON-MIB through an\n"
            "SNMP AgentX master agent.\n\n"
            "  -f            stay in the foreground (default: daemonize)\n"
            "  -x ADDRESS    AgentX master socket (e.g. unix:/path, "
            "tcp:host:705)\n"
            "  -c FILE       configuration file (default: " DEFAULT_CONFIG ")\n"
            "  -u URI        libvirt URI to watch; repeatable; replaces "
            "the\n"
            "                configuration's uri lines\n"
            "  -i SECONDS    poll interval, 1..86400\n"
            "  -L LOGOPTS    logging, as snmpd: -Le stderr, -Lo stdout,\n"
            "                -Lf FILE, -Ls FACILITY (syslog)\n"
            "  -D[TOKENS]    debug output for net-snmp tokens (virtmon, "
            "...)\n"
            "  -p FILE       write the process id to FILE\n"
            "  -h            show this help\n"
            "  -V            show the version\n");
}

/* 0: go on; 1: done successfully (-h, -V); -1: bad command line. */
static int parse_options(int argc, char **argv, options *opts)
{
    int c;

    opts->config_path = DEFAULT_CONFIG;
    if (!(opts->uris = calloc((size_t)argc, sizeof(*opts->uris))))
        return -1;
    while ((c = getopt(argc, argv, "fx:c:u:i:L:D::p:hV")) != -1) {
        switch (c) {
        case 'f':
            opts->is_foreground = true;
            break;
        case 'x':
            opts->agentx = optarg;
            break;
        case 'c':
            opts->config_path = optarg;
            opts->is_config_given = true;
            break;
        case 'u':
            opts->uris[opts->n_uris++] = optarg;
            break;
        case 'i':
            opts->interval = optarg;
            break;
        case 'L':
            if (snmp_log_options(optarg, argc, argv) < 0)
                return -1;
            opts->has_log_option = true;
            break;
        case 'D':
            debug_register_tokens(optarg);
            snmp_set_do_debugging(1);
            break;
        case 'p':
            opts->pid_file = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        case 'V':
            printf(APP_NAME " " PACKAGE_VERSION " (net-snmp %s)\n",
                   netsnmp_get_version());
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, APP_NAME ": unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* The configuration file, then the command line on top of it. */
static vmon_agent_config *load_config(const options *opts)
{
    vmon_agent_config *config = vmon_agent_config_new();

    if (!config || vmon_agent_config_read(config, opts->config_path,
                                          opts->is_config_given) < 0)
        goto error;
    if (opts->interval &&
        vmon_parse_uint(opts->interval, 1, VMON_AGENT_MAX_INTERVAL,
                        &config->interval_s) < 0) {
        snmp_log(LOG_ERR, "-i: '%s' is not a number of seconds in 1..%u\n",
                 opts->interval, VMON_AGENT_MAX_INTERVAL);
        goto error;
    }
    if ((opts->n_uris > 0 &&
         vmon_agent_config_set_uris(config, opts->uris, opts->n_uris) < 0) ||
        (opts->agentx &&
         vmon_agent_config_set_agentx(config, opts->agentx) < 0) ||
        vmon_agent_config_finish(config) < 0)
        goto error;
    return config;
error:
    vmon_agent_config_free(config);
    return NULL;
}

static void init_netsnmp(const vmon_agent_config *config)
{
    netsnmp_ds_set_boolean(NETSNMP_DS_APPLICATION_ID, NETSNMP_DS_AGENT_ROLE, 1);
    if (config->agentx_socket)
        netsnmp_ds_set_string(NETSNMP_DS_APPLICATION_ID,
                              NETSNMP_DS_AGENT_X_SOCKET, config->agentx_socket);
    /* everything comes from our own file: no net-snmp .conf files, which
     * would also be looked for under our application name, and no
     * persistent state */
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_READ_CONFIGS, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_LOAD, 1);
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DISABLE_PERSISTENT_SAVE, 1);
    /* a subagent needs no MIB files; without snmp.conf's "mibs :" net-snmp
     * would try to load its default list and complain about each one */
    setenv("MIBS", "", 1);
    init_agent(APP_NAME);
    /* the ping notices a restarted snmpd and reconnects to it; set after
     * init_agent, which installs net-snmp's default of 15 s */
    netsnmp_ds_set_int(NETSNMP_DS_APPLICATION_ID,
                       NETSNMP_DS_AGENT_AGENTX_PING_INTERVAL,
                       (int)config->ping_interval_s);
}

static double elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) * 1e3 +
           (double)(now.tv_nsec - since->tv_nsec) / 1e6;
}

static void publish_view(agent *a)
{
    vmon_snapshot *snap = vmon_core_snapshot(a->core);
    vmon_mib_view *view;
    struct timespec start;

    if (!snap) {
        snmp_log(LOG_ERR, "out of memory taking a snapshot\n");
        return;
    }
    vmon_traps_counters(a->traps, &a->info.events);
    clock_gettime(CLOCK_MONOTONIC, &start);
    view = vmon_mib_view_new(snap, &a->info);
    vmon_snapshot_unref(snap);
    if (!view)
        return;
    /* rendering blocks the main loop: worth watching on big hosts */
    DEBUGMSGTL(("virtmon", "serving %zu instances, rendered in %.1f ms\n",
                vmon_mib_view_size(view), elapsed_ms(&start)));
    vmon_mib_handler_set_view(a->handler, view);
}

static void on_new_data(int fd, void *opaque)
{
    agent *a = opaque;

    (void)fd;
    /* drained first, so data published while rendering wakes us again */
    vmon_core_drain_wake(a->core);
    publish_view(a);
}

static void on_counters_changed(void *opaque)
{
    publish_view(opaque);
}

static int start_core(agent *a)
{
    const vmon_notify_config *notify = &a->config->notify;
    vmon_core_config core_config = {
        .uris = a->config->uris,
        .n_uris = a->config->n_uris,
        .interval_s = a->config->interval_s,
        .poll_timeout_s = a->config->poll_timeout_s,
        .stats_groups = a->config->stats_groups,
        .event_queue_len = notify->queue_len,
        .cell_low_bytes = notify->cell_low_bytes,
        .host_low_bytes = notify->host_low_bytes,
        .hysteresis_bytes = notify->hysteresis_bytes,
        .magic_local_read = a->config->magic_local_read,
    };

    memcpy(core_config.group_every, a->config->group_every,
           sizeof(core_config.group_every));

    if (!(a->core = vmon_core_new(&core_config)) ||
        vmon_core_start(a->core) < 0)
        return -1;
    vmon_traps_attach(a->traps, a->core);
    register_readfd(vmon_core_wake_fd(a->core), on_new_data, a);
    publish_view(a);
    return 0;
}

static int daemonize(const options *opts)
{
    /* until now errors went to the terminal; a daemon has none */
    if (!opts->has_log_option) {
        snmp_disable_stderrlog();
        snmp_enable_syslog_ident(APP_NAME, LOG_DAEMON);
    }
    return netsnmp_daemonize(1, snmp_stderrlog_status()) == 0 ? 0 : -1;
}

/* Everything after the configuration is known to be good. */
static int run(agent *a, const options *opts)
{
    init_netsnmp(a->config);
    if (!vmon_mib_registry_is_valid() ||
        !(a->handler = vmon_mib_handler_new()) ||
        !(a->traps =
              vmon_traps_new(&a->config->notify, on_counters_changed, a)))
        return -1;
    /* connects to the master agent, which the notifications watch */
    init_snmp(APP_NAME);
    if (!opts->is_foreground && daemonize(opts) < 0)
        return -1;
    if (opts->pid_file) {
        if (vmon_pidfile_write(opts->pid_file) < 0)
            return -1;
        a->pid_file = opts->pid_file;
    }
    if (vmon_signals_start(&a->is_stopping) < 0 || vmon_log_relay_start() < 0 ||
        start_core(a) < 0)
        return -1;
    snmp_log(LOG_INFO,
             APP_NAME " " PACKAGE_VERSION
                      " started, watching %zu libvirt connection(s)\n",
             a->config->n_uris);
    while (!a->is_stopping)
        agent_check_and_process(1);
    return 0;
}

static void shut_down(agent *a)
{
    vmon_traps_free(a->traps);
    if (a->core) {
        unregister_readfd(vmon_core_wake_fd(a->core));
        vmon_core_stop(a->core);
    }
    vmon_log_relay_stop();
    vmon_signals_stop();
    vmon_mib_handler_free(a->handler);
    snmp_shutdown(APP_NAME);
    vmon_core_free(a->core);
    vmon_pidfile_remove(a->pid_file);
    vmon_agent_config_free(a->config);
}

int main(int argc, char **argv)
{
    options opts = {0};
    agent a = {0};
    int ret = EXIT_FAILURE;
    int parsed = parse_options(argc, argv, &opts);

    if (parsed != 0) {
        ret = parsed > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
        goto cleanup;
    }
    if (!opts.has_log_option)
        snmp_enable_stderrlog();
    if (!(a.config = load_config(&opts)))
        goto cleanup;
    a.info.version = PACKAGE_VERSION;
    a.info.interval_s = a.config->interval_s;
    a.info.stats_groups = a.config->stats_groups;
    if (run(&a, &opts) == 0)
        ret = EXIT_SUCCESS;
    snmp_log(LOG_INFO, APP_NAME " stopped\n");
    shut_down(&a);
cleanup:
    free(opts.uris);
    return ret;
}
