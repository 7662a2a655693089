/* bench-floor.c: the least any libvirt poller can do, one domain list and one
 * bulk stats call per round, timed; the baseline virtmon's poll is held to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "bench-rounds.h"

typedef struct {
    const char *name;
    unsigned int stats;
} group_name;

static const group_name groups[] = {
    {"state", VIR_DOMAIN_STATS_STATE},
    {"cpu", VIR_DOMAIN_STATS_CPU_TOTAL},
    {"balloon", VIR_DOMAIN_STATS_BALLOON},
    {"vcpu", VIR_DOMAIN_STATS_VCPU},
    {"interface", VIR_DOMAIN_STATS_INTERFACE},
    {"block", VIR_DOMAIN_STATS_BLOCK},
};

static int parse_groups(const char *list, unsigned int *stats)
{
    char *copy = strdup(list), *save = NULL, *tok;
    int ret = 0;
    size_t i;

    *stats = 0;
    for (tok = strtok_r(copy, ",", &save); tok && ret == 0;
         tok = strtok_r(NULL, ",", &save)) {
        for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
            if (strcmp(tok, groups[i].name) == 0)
                break;
        if (i == sizeof(groups) / sizeof(groups[0])) {
            fprintf(stderr, "unknown stats group '%s'\n", tok);
            ret = -1;
        } else {
            *stats |= groups[i].stats;
        }
    }
    free(copy);
    return ret;
}

typedef struct {
    virConnectPtr conn;
    unsigned int stats;
} floor_state;

/* Returns the number of domains in the stats answer, -1 on failure. */
static int floor_round(void *opaque)
{
    floor_state *st = opaque;
    virDomainPtr *doms = NULL;
    virDomainStatsRecordPtr *records = NULL;
    int n_doms, n, i;

    n_doms = virConnectListAllDomains(st->conn, &doms, 0);
    if (n_doms < 0)
        return -1;
    for (i = 0; i < n_doms; i++)
        virDomainFree(doms[i]);
    free(doms);
    n = virConnectGetAllDomainStats(st->conn, st->stats, &records,
                                    VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
    virDomainStatsRecordListFree(records);
    return n;
}

int main(int argc, char **argv)
{
    floor_state st = {NULL, 0};
    int ret = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: %s URI GROUP[,GROUP...]\n", argv[0]);
        return 2;
    }
    if (parse_groups(argv[2], &st.stats) < 0)
        return 2;
    if (!(st.conn = virConnectOpenReadOnly(argv[1]))) {
        fprintf(stderr, "cannot open '%s': %s\n", argv[1],
                virGetLastErrorMessage());
        return 1;
    }
    ret = bench_serve_rounds(floor_round, &st) < 0 ? 1 : 0;
    virConnectClose(st.conn);
    return ret;
}
