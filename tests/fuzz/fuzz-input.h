/* fuzz-input.h: reads a fuzzer's bytes as a stream of small choices, so
 * that each target can build structured input (OIDs, typed parameters,
 * configuration trees) from them. Past the end every read gives zeros. */
#ifndef VMON_FUZZ_INPUT_H
#define VMON_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    const uint8_t *data;
    size_t size;
    size_t pos;
} fuzz_input;

static inline int fuzz_is_done(const fuzz_input *in)
{
    return in->pos >= in->size;
}

static inline uint8_t fuzz_byte(fuzz_input *in)
{
    return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint64_t fuzz_bytes_le(fuzz_input *in, unsigned int n)
{
    uint64_t v = 0;
    unsigned int i;

    for (i = 0; i < n; i++)
        v |= (uint64_t)fuzz_byte(in) << (8 * i);
    return v;
}

/* A value in 0..n-1 (n > 0). */
static inline size_t fuzz_pick(fuzz_input *in, size_t n)
{
    return n <= 256 ? fuzz_byte(in) % n : (size_t)(fuzz_bytes_le(in, 2) % n);
}

/* Up to `max` bytes into buf (max + 1 bytes), NUL-terminated; its length
 * comes first in the input. */
static inline size_t fuzz_string(fuzz_input *in, char *buf, size_t max)
{
    size_t len = fuzz_pick(in, max + 1), i;

    for (i = 0; i < len; i++)
        buf[i] = (char)fuzz_byte(in);
    buf[len] = '\0';
    return strlen(buf);
}

#endif
