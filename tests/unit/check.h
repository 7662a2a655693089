/* check.h: the few assertion macros the C unit tests share; a failed check
 * prints file, line and both values, and the test exits non-zero. */
#ifndef VMON_CHECK_H
#define VMON_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

#define CHECK_U64(got, want)                                                   \
    do {                                                                       \
        uint64_t g_ = (uint64_t)(got), w_ = (uint64_t)(want);                  \
        if (g_ != w_) {                                                        \
            fprintf(stderr,                                                    \
                    "%s:%d: %s is %" PRIu64 ", expected %" PRIu64 "\n",        \
                    __FILE__, __LINE__, #got, g_, w_);                         \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                   \
    do {                                                                       \
        const char *g_ = (got), *w_ = (want);                                  \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) {                               \
            fprintf(stderr, "%s:%d: %s is '%s', expected '%s'\n", __FILE__,    \
                    __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
            check_failures++;                                                  \
        }                                                                      \
    } while (0)

#define RUN(test)                                                              \
    do {                                                                       \
        int before_ = check_failures;                                          \
        test();                                                                \
        printf("%s %s\n", check_failures == before_ ? "ok  " : "FAIL", #test); \
    } while (0)

#endif
