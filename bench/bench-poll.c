/* bench-poll.c: one virtmon poll round per driver command, through the core's
 * synchronous vmon_core_poll_once, with chosen stats groups and intervals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmon-core.h"
#include "bench-rounds.h"

/* "state,cpu,block" -> VMON_GROUP_* bits; 0 when a name is unknown. */
static unsigned int parse_groups(const char *list)
{
    char *copy = strdup(list), *save = NULL, *tok;
    unsigned int bits = 0, bit;

    for (tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        if (!(bit = vmon_group_from_name(tok))) {
            fprintf(stderr, "unknown stats group '%s'\n", tok);
            bits = 0;
            break;
        }
        bits |= bit;
    }
    free(copy);
    return bits;
}

/* "block=4,balloon=4" -> group_every[]; -1 on a bad item. */
static int parse_every(const char *list, unsigned int every[VMON_GROUP_COUNT])
{
    char *copy = strdup(list), *save = NULL, *tok, *eq, *end;
    unsigned int bit, i;
    unsigned long n;
    int ret = 0;

    for (tok = strtok_r(copy, ",", &save); tok && ret == 0;
         tok = strtok_r(NULL, ",", &save)) {
        ret = -1;
        if (!(eq = strchr(tok, '=')))
            break;
        *eq = '\0';
        n = strtoul(eq + 1, &end, 10);
        if (!(bit = vmon_group_from_name(tok)) || *end || n < 1 || n > 1000)
            break;
        for (i = 0; i < VMON_GROUP_COUNT; i++)
            if (bit == 1u << i)
                every[i] = (unsigned int)n;
        ret = 0;
    }
    if (ret < 0)
        fprintf(stderr, "bad group interval '%s'\n", list);
    free(copy);
    return ret;
}

static void quiet_log(vmon_log_level level, const char *msg, void *opaque)
{
    (void)opaque;
    if (level <= VMON_LOG_WARNING)
        fprintf(stderr, "virtmon: %s\n", msg);
}

/* Returns the number of domains the new snapshot holds, -1 on failure. */
static int poll_round(void *opaque)
{
    vmon_core *core = opaque;
    vmon_snapshot *snap;
    int n = -1;

    if (vmon_core_poll_once(core) != 0)
        return -1;
    if ((snap = vmon_core_snapshot(core))) {
        if (snap->n_conns == 1 && snap->conns[0]->data)
            n = (int)snap->conns[0]->data->n_domains;
        vmon_snapshot_unref(snap);
    }
    return n;
}

int main(int argc, char **argv)
{
    vmon_core_config config;
    vmon_core *core;
    char *uri;
    int ret;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s URI GROUP[,GROUP...] [GROUP=EVERY,...]\n",
                argv[0]);
        return 2;
    }
    vmon_log_set(quiet_log, NULL);
    memset(&config, 0, sizeof(config));
    uri = argv[1];
    config.uris = &uri;
    config.n_uris = 1;
    config.interval_s = 1;
    if (!(config.stats_groups = parse_groups(argv[2])) ||
        (argc == 4 && parse_every(argv[3], config.group_every) < 0))
        return 2;
    if (!(core = vmon_core_new(&config)))
        return 1;
    ret = bench_serve_rounds(poll_round, core) < 0 ? 1 : 0;
    vmon_core_free(core);
    return ret;
}
