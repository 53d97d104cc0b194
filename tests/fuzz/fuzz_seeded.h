/*
 * fuzz_seeded.h -- the input scheme of the fuzz targets that start from
 * valid encodings (fuzz_frame.c, fuzz_rbsr.c): an even first byte gives
 * the rest of the input to check() as it is; an odd one picks a valid
 * encoding made by seed(data[1]), flips bytes by (offset, xor) pairs
 * taken from the rest and, with an odd length, truncates it. Every
 * buffer check() sees is an exact-size heap copy, so that ASan catches
 * any read past its end.
 */
#ifndef RM_FUZZ_SEEDED_H
#define RM_FUZZ_SEEDED_H

#include <stddef.h>
#include <stdint.h>

#include "common/common.h"

typedef void (*fuzz_seed_fn)(unsigned which, rm_buf *b);
typedef void (*fuzz_check_fn)(const uint8_t *p, size_t n);

/* One libFuzzer input through the scheme above; returns 0. */
int fuzz_seeded_run(const uint8_t *data, size_t size, fuzz_seed_fn seed,
    fuzz_check_fn check);

#endif /* RM_FUZZ_SEEDED_H */
