/* bench-rounds.h: the line protocol the benchmark driver speaks to its timed
 * pollers: one line in ("poll" or "poll K"), one line out with the timings. */
#ifndef BENCH_ROUNDS_H
#define BENCH_ROUNDS_H

/* One round of work; returns a count to report (domains), -1 on failure. */
typedef int (*bench_round_fn)(void *opaque);

/* Reads commands from stdin until EOF or "quit". "poll K" runs K rounds
 * and answers "ok WALL_NS_TOTAL COUNT" (or "error ..."); returns -1 when a
 * round failed. */
int bench_serve_rounds(bench_round_fn fn, void *opaque);

#endif
