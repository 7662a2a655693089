/* bench-rounds.c: serves the driver's "poll K" commands on stdin/stdout so
 * that a poller stays connected between timed rounds, as a daemon would. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-rounds.h"

#define BENCH_MAX_ROUNDS 1000

static long long now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "poll" or "poll K" -> K, 0 for "quit", -1 for anything else. */
static long parse_command(const char *line)
{
    char *end;
    long k;

    if (strcmp(line, "quit\n") == 0)
        return 0;
    if (strcmp(line, "poll\n") == 0)
        return 1;
    if (strncmp(line, "poll ", 5) != 0)
        return -1;
    k = strtol(line + 5, &end, 10);
    if (end == line + 5 || *end != '\n' || k < 1 || k > BENCH_MAX_ROUNDS)
        return -1;
    return k;
}

int bench_serve_rounds(bench_round_fn fn, void *opaque)
{
    char line[64];
    long k, i;
    long long start;
    int count = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    while (fgets(line, sizeof(line), stdin)) {
        if ((k = parse_command(line)) == 0)
            return 0;
        if (k < 0) {
            printf("error unknown command\n");
            continue;
        }
        start = now_ns();
        for (i = 0; i < k && count >= 0; i++)
            count = fn(opaque);
        if (count < 0) {
            printf("error round failed\n");
            return -1;
        }
        printf("ok %lld %d\n", now_ns() - start, count);
    }
    return 0;
}
