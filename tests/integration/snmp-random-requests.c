/* snmp-random-requests: sends random GET, GETNEXT and GETBULK requests to an
 * SNMP agent and checks every answer against a walk of VIRTMON-MIB taken
 * before: each answer arrives, is a well-formed response, and names the
 * instances the walk predicts, with the walk's types; afterwards the walk
 * must be the same. Prints a summary; exit status 1 on any wrong answer. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>

#include "../../agent/vmon-oids.h"

#define MAX_INSTANCES 100000
#define MAX_VARBINDS 5
#define MAX_REPETITIONS 12
#define MAX_PROBLEMS_SHOWN 20

typedef struct {
    oid name[MAX_OID_LEN];
    size_t len;
    u_char type;
} instance;

typedef struct {
    instance *items;
    size_t n;
} walk;

static const oid root[] = {VMON_OID_ROOT};
static const size_t root_len = sizeof(root) / sizeof(root[0]);
static unsigned long problems;
static unsigned long answered[3], varbinds_checked;

static void problem(const char *what, const oid *name, size_t len)
{
    char buf[512];

    problems++;
    if (problems > MAX_PROBLEMS_SHOWN)
        return;
    snprint_objid(buf, sizeof(buf), name, len);
    fprintf(stderr, "wrong answer: %s (%s)\n", what, buf);
}

static bool is_in_root(const oid *name, size_t len)
{
    return len > root_len &&
           snmp_oid_compare(name, root_len, root, root_len) == 0;
}

static bool is_exception(u_char type)
{
    return type == SNMP_NOSUCHOBJECT || type == SNMP_NOSUCHINSTANCE ||
           type == SNMP_ENDOFMIBVIEW;
}

/* The PDU the agent answered, or NULL (counted as a problem). */
static netsnmp_pdu *ask(netsnmp_session *ss, netsnmp_pdu *pdu)
{
    netsnmp_pdu *response = NULL;
    int status = snmp_synch_response(ss, pdu, &response);

    if (status != STAT_SUCCESS || !response) {
        problem(status == STAT_TIMEOUT ? "timeout" : "no response", root,
                root_len);
        if (response)
            snmp_free_pdu(response);
        return NULL;
    }
    if (response->command != SNMP_MSG_RESPONSE ||
        response->errstat != SNMP_ERR_NOERROR) {
        problem("error status in response", root, root_len);
        snmp_free_pdu(response);
        return NULL;
    }
    return response;
}

/* Every instance under the root, by GETNEXT. */
static int take_walk(netsnmp_session *ss, walk *w)
{
    oid cur[MAX_OID_LEN];
    size_t cur_len = root_len;

    memcpy(cur, root, sizeof(root));
    w->n = 0;
    for (;;) {
        netsnmp_pdu *pdu = snmp_pdu_create(SNMP_MSG_GETNEXT), *rsp;
        netsnmp_variable_list *vb;

        snmp_add_null_var(pdu, cur, cur_len);
        if (!(rsp = ask(ss, pdu)))
            return -1;
        vb = rsp->variables;
        if (!vb || is_exception(vb->type) ||
            !is_in_root(vb->name, vb->name_length)) {
            snmp_free_pdu(rsp);
            return 0;
        }
        if (w->n == MAX_INSTANCES ||
            snmp_oid_compare(vb->name, vb->name_length, cur, cur_len) <= 0) {
            problem("walk does not advance", vb->name, vb->name_length);
            snmp_free_pdu(rsp);
            return -1;
        }
        memcpy(w->items[w->n].name, vb->name, vb->name_length * sizeof(oid));
        w->items[w->n].len = vb->name_length;
        w->items[w->n].type = vb->type;
        w->n++;
        memcpy(cur, vb->name, vb->name_length * sizeof(oid));
        cur_len = vb->name_length;
        snmp_free_pdu(rsp);
    }
}

/* The first instance after `name` (at it when is_inclusive), or NULL. */
static const instance *walk_next(const walk *w, const oid *name, size_t len,
                                 bool is_inclusive)
{
    size_t lo = 0, hi = w->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp =
            snmp_oid_compare(w->items[mid].name, w->items[mid].len, name, len);

        if (cmp > 0 || (cmp == 0 && is_inclusive))
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < w->n ? &w->items[lo] : NULL;
}

/* ---- random requests ------------------------------------------------- */

static oid random_subid(void)
{
    static const oid edges[] = {0,    1,    2,          3,         255,
                                4095, 4096, 0x7fffffff, 0xffffffff};

    switch (random() % 4) {
    case 0:
        return edges[random() % (sizeof(edges) / sizeof(edges[0]))];
    case 1:
        return (oid)(random() % 256);
    default:
        return (oid)(random() % 8);
    }
}

/* An existing instance, a prefix of one, one with a changed or added
 * sub-identifier, something under the root, or something outside it. */
static size_t random_name(const walk *w, oid *name)
{
    const instance *in = w->n ? &w->items[random() % w->n] : NULL;
    size_t len, i;

    switch (in ? random() % 6 : 5) {
    case 0:
    case 1:
        memcpy(name, in->name, in->len * sizeof(oid));
        return in->len;
    case 2: /* a prefix: a column, a table, an entry */
        len = root_len + (size_t)random() % (in->len - root_len + 1);
        memcpy(name, in->name, len * sizeof(oid));
        return len;
    case 3: /* one sub-identifier changed (not the first two, which BER
               encodes as one and which no agent sees changed) */
        memcpy(name, in->name, in->len * sizeof(oid));
        name[2 + (size_t)random() % (in->len - 2)] = random_subid();
        return in->len;
    case 4: /* longer than any instance */
        memcpy(name, in->name, in->len * sizeof(oid));
        len = in->len + 1 + (size_t)random() % 4;
        for (i = in->len; i < len; i++)
            name[i] = random_subid();
        return len;
    default: /* anywhere near the root, or the root's neighbours */
        memcpy(name, root, sizeof(root));
        len = root_len - 1 + (size_t)random() % 5;
        for (i = root_len - 1; i < len; i++)
            name[i] = i == root_len - 1 ? root[i] - 1 + (oid)(random() % 3)
                                        : random_subid();
        return len;
    }
}

/* An answer to "the next instance after prev" (GETNEXT, a GETBULK step). */
static void check_next(const walk *w, const oid *prev, size_t prev_len,
                       const netsnmp_variable_list *vb)
{
    const instance *want;

    varbinds_checked++;
    if (vb->type == SNMP_ENDOFMIBVIEW)
        return; /* the end of snmpd's whole tree, past ours */
    if (is_exception(vb->type) ||
        snmp_oid_compare(vb->name, vb->name_length, prev, prev_len) <= 0) {
        problem("next instance does not follow the request", vb->name,
                vb->name_length);
        return;
    }
    /* inside (or just before) our subtree the walk knows the answer */
    want = walk_next(w, prev, prev_len, false);
    if (!want && is_in_root(vb->name, vb->name_length)) {
        problem("an instance past the walk's last", vb->name, vb->name_length);
        return;
    }
    if (want &&
        snmp_oid_compare(want->name, want->len, vb->name, vb->name_length) !=
            0 &&
        (is_in_root(prev, prev_len) || is_in_root(vb->name, vb->name_length))) {
        problem("next instance is not the walk's", vb->name, vb->name_length);
        return;
    }
    if (want && is_in_root(vb->name, vb->name_length) && vb->type != want->type)
        problem("type differs from the walk's", vb->name, vb->name_length);
}

static void check_get(const walk *w, const oid *asked, size_t asked_len,
                      const netsnmp_variable_list *vb)
{
    const instance *want = walk_next(w, asked, asked_len, true);

    varbinds_checked++;
    if (snmp_oid_compare(vb->name, vb->name_length, asked, asked_len) != 0) {
        problem("GET answered another name", vb->name, vb->name_length);
        return;
    }
    if (!is_in_root(asked, asked_len))
        return;
    if (want &&
        snmp_oid_compare(want->name, want->len, asked, asked_len) == 0) {
        if (vb->type != want->type)
            problem("GET type differs from the walk's", asked, asked_len);
    } else if (vb->type != SNMP_NOSUCHINSTANCE &&
               vb->type != SNMP_NOSUCHOBJECT) {
        problem("GET of no instance answered a value", asked, asked_len);
    }
}

static void one_request(netsnmp_session *ss, const walk *w)
{
    static const int kinds[] = {SNMP_MSG_GET, SNMP_MSG_GETNEXT,
                                SNMP_MSG_GETBULK};
    int kind = (int)(random() % 3);
    size_t n = 1 + (size_t)random() % MAX_VARBINDS, i, k, lens[MAX_VARBINDS];
    oid names[MAX_VARBINDS][MAX_OID_LEN];
    netsnmp_pdu *pdu = snmp_pdu_create(kinds[kind]), *rsp;
    netsnmp_variable_list *vb;
    long non_rep = 0, max_rep = 0;

    for (i = 0; i < n; i++) {
        lens[i] = random_name(w, names[i]);
        snmp_add_null_var(pdu, names[i], lens[i]);
    }
    if (kind == 2) {
        non_rep = random() % (long)(n + 1);
        max_rep = random() % (MAX_REPETITIONS + 1);
        pdu->non_repeaters = non_rep;
        pdu->max_repetitions = max_rep;
    }
    if (!(rsp = ask(ss, pdu)))
        return;
    answered[kind]++;
    if (kind < 2) {
        for (vb = rsp->variables, i = 0; vb && i < n;
             vb = vb->next_variable, i++)
            if (kind == 0)
                check_get(w, names[i], lens[i], vb);
            else
                check_next(w, names[i], lens[i], vb);
        if (vb || i != n)
            problem("number of varbinds differs from the request", root,
                    root_len);
    } else {
        size_t repeaters = n - (size_t)non_rep, limit;
        oid prev[MAX_VARBINDS][MAX_OID_LEN];
        size_t prev_lens[MAX_VARBINDS];

        limit = (size_t)non_rep + repeaters * (size_t)max_rep;
        for (i = 0; i < n; i++) {
            memcpy(prev[i], names[i], lens[i] * sizeof(oid));
            prev_lens[i] = lens[i];
        }
        for (vb = rsp->variables, k = 0; vb; vb = vb->next_variable, k++) {
            if (k >= limit) {
                problem("GETBULK answered more varbinds than asked", root,
                        root_len);
                break;
            }
            i = k < (size_t)non_rep
                    ? k
                    : (size_t)non_rep + (k - (size_t)non_rep) % repeaters;
            check_next(w, prev[i], prev_lens[i], vb);
            memcpy(prev[i], vb->name, vb->name_length * sizeof(oid));
            prev_lens[i] = vb->name_length;
        }
    }
    snmp_free_pdu(rsp);
}

static bool walks_are_equal(const walk *a, const walk *b)
{
    size_t i;

    if (a->n != b->n) {
        fprintf(stderr, "walk had %zu instances, now %zu\n", a->n, b->n);
        return false;
    }
    for (i = 0; i < a->n; i++) {
        if (snmp_oid_compare(a->items[i].name, a->items[i].len,
                             b->items[i].name, b->items[i].len) != 0 ||
            a->items[i].type != b->items[i].type) {
            problem("walk changed", b->items[i].name, b->items[i].len);
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    netsnmp_session session, *ss;
    walk before = {0}, after = {0};
    unsigned long count, i;
    char *end;

    if (argc != 5) {
        fprintf(stderr, "usage: %s PEER COMMUNITY COUNT SEED\n", argv[0]);
        return 2;
    }
    count = strtoul(argv[3], &end, 10);
    srandom((unsigned int)strtoul(argv[4], NULL, 10));
    netsnmp_ds_set_boolean(NETSNMP_DS_LIBRARY_ID,
                           NETSNMP_DS_LIB_DONT_PERSIST_STATE, 1);
    init_snmp("snmp-random-requests");
    snmp_sess_init(&session);
    session.peername = argv[1];
    session.version = SNMP_VERSION_2c;
    session.community = (u_char *)argv[2];
    session.community_len = strlen(argv[2]);
    session.timeout = 5000000;
    session.retries = 1;
    if (!(ss = snmp_open(&session))) {
        snmp_perror("snmp_open");
        return 2;
    }
    before.items = calloc(MAX_INSTANCES, sizeof(*before.items));
    after.items = calloc(MAX_INSTANCES, sizeof(*after.items));
    if (take_walk(ss, &before) < 0 || before.n == 0) {
        fprintf(stderr, "no walk of VIRTMON-MIB to start from\n");
        return 1;
    }
    for (i = 0; i < count; i++)
        one_request(ss, &before);
    if (take_walk(ss, &after) < 0 || !walks_are_equal(&before, &after))
        problems++;
    printf("%lu requests (%lu GET, %lu GETNEXT, %lu GETBULK answered), "
           "%lu varbinds checked against a walk of %zu instances, "
           "%lu wrong\n",
           count, answered[0], answered[1], answered[2], varbinds_checked,
           before.n, problems);
    snmp_close(ss);
    free(before.items);
    free(after.items);
    snmp_shutdown("snmp-random-requests");
    return problems == 0 && *end == '\0' ? 0 : 1;
}
