/* bench-snmp-latency.c: times COUNT SNMP GETs of one OID from one open client,
 * so the figures hold the agent's answer time without process start-up. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#define MAX_COUNT 100000

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* One GET; true when the agent answered with a value (not an exception). */
static bool get_once(void *sess, const oid *name, size_t name_len)
{
    netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GET), *response = NULL;
    bool has_value = false;

    snmp_add_null_var(pdu, name, name_len);
    if (snmp_sess_synch_response(sess, pdu, &response) == STAT_SUCCESS &&
        response->errstat == SNMP_ERR_NOERROR && response->variables &&
        response->variables->type != SNMP_NOSUCHOBJECT &&
        response->variables->type != SNMP_NOSUCHINSTANCE &&
        response->variables->type != SNMP_ENDOFMIBVIEW)
        has_value = true;
    if (response)
        snmp_free_pdu(response);
    return has_value;
}

static void *open_client(const char *peer, const char *community)
{
    netsnmp_session session;

    snmp_sess_init(&session);
    session.peername = (char *)peer;
    session.version = SNMP_VERSION_2c;
    session.community = (u_char *)community;
    session.community_len = strlen(community);
    session.timeout = 1000000; /* a lost answer costs 1 s, then counts */
    session.retries = 0;
    return snmp_sess_open(&session);
}

int main(int argc, char **argv)
{
    oid name[MAX_OID_LEN];
    size_t name_len = MAX_OID_LEN;
    double *lat;
    long count, i, failures = 0;
    void *sess;

    if (argc != 5 || (count = strtol(argv[3], NULL, 10)) < 1 ||
        count > MAX_COUNT) {
        fprintf(stderr, "usage: %s PEER COMMUNITY COUNT NUMERIC-OID\n",
                argv[0]);
        return 2;
    }
    setenv("MIBS", "", 1);
    init_snmp("bench-snmp-latency");
    if (!read_objid(argv[4], name, &name_len)) {
        fprintf(stderr, "cannot parse OID '%s'\n", argv[4]);
        return 2;
    }
    if (!(sess = open_client(argv[1], argv[2])) ||
        !(lat = calloc(count, sizeof(*lat)))) {
        fprintf(stderr, "cannot open SNMP session to '%s'\n", argv[1]);
        return 1;
    }
    for (i = 0; i < count; i++) {
        double start = now_us();

        if (!get_once(sess, name, name_len))
            failures++;
        lat[i] = now_us() - start;
    }
    qsort(lat, count, sizeof(*lat), compare_double);
    printf("count=%ld failures=%ld p50_us=%.0f p99_us=%.0f max_us=%.0f\n",
           count, failures, lat[count / 2], lat[(count * 99) / 100],
           lat[count - 1]);
    snmp_sess_close(sess);
    free(lat);
    return failures ? 1 : 0;
}
