/* fuzz-agent-config.c: libFuzzer target for virtmon-agent's configuration
 * parser: the input is the content of a configuration file. */
#include "../../agent/agent-config.c"

#include <stdio.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rejections are logged at every other input: keep them off stderr. */
static int drop_log(int major, int minor, void *server_arg, void *client_arg)
{
    (void)major;
    (void)minor;
    (void)server_arg;
    (void)client_arg;
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snmp_register_callback(SNMP_CALLBACK_LIBRARY, SNMP_CALLBACK_LOGGING,
                           drop_log, NULL);
    snmp_enable_calllog();
    return 0;
}

/* What a configuration the parser accepted must hold. */
static void check_accepted(const vmon_agent_config *config)
{
    size_t i;

    if (config->interval_s < 1 ||
        config->interval_s > VMON_AGENT_MAX_INTERVAL ||
        config->ping_interval_s > VMON_AGENT_MAX_INTERVAL ||
        config->notify.queue_len > VMON_AGENT_MAX_QUEUE ||
        config->notify.rate > VMON_AGENT_MAX_RATE ||
        config->notify.burst > VMON_AGENT_MAX_RATE ||
        (config->stats_groups & ~(unsigned int)VMON_GROUP_ALL) ||
        config->n_uris == 0)
        __builtin_trap();
    for (i = 0; i < VMON_GROUP_COUNT; i++)
        if (config->group_every[i] > 1000)
            __builtin_trap();
    for (i = 0; i < config->n_uris; i++)
        if (!config->uris[i] || !*config->uris[i] ||
            strlen(config->uris[i]) > VMON_AGENT_CONFIG_MAX_LINE)
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vmon_agent_config *config = vmon_agent_config_new();
    FILE *file;

    if (!config)
        return 0;
    /* fmemopen of zero bytes fails; an empty file is still a case */
    file = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
    if (file) {
        if (read_lines(config, file, "fuzz.conf") == 0 &&
            vmon_agent_config_finish(config) == 0)
            check_accepted(config);
        fclose(file);
    }
    vmon_agent_config_free(config);
    return 0;
}
