/*
 * rng.h - the seeded generator behind every random choice.
 *
 * xoshiro256** seeded through splitmix64: fast, good statistics, and the
 * same sequence on every platform, so a plan's seed reproduces a run.
 * Derive independent streams with rng_init(&r, seed, salt) where salt names
 * the purpose (rng_salt("select:sql")), so adding a random choice in one
 * place does not shift the numbers drawn in another.
 */
#ifndef FAULTLINE_RNG_H
#define FAULTLINE_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

void rng_init(struct rng *r, uint64_t seed, uint64_t salt);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n); n > 0. Unbiased (rejection). */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Uniform in [lo, hi] inclusive. */
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);
/* FNV-1a of a string, for salts. */
uint64_t rng_salt(const char *s);

#endif
