/*
 * devices_index.c -- the open-addressing index the registry uses for
 * devices, alerts, receipts and broadcast times (linear probing, grown
 * at half load, so a lookup is O(1) at 100,000 devices).
 */
#include <stdlib.h>
#include <string.h>

#include "node/devices/devices_int.h"

uint64_t
dix_hash(const void *p, size_t n, uint64_t seed)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint32_t
dix_find(const struct dix *x, uint64_t h,
    bool (*eq)(const void *ctx, uint32_t i), const void *ctx)
{
	if (x->cap == 0)
		return UINT32_MAX;
	for (size_t k = 0, s = h & (x->cap - 1); k < x->cap;
	    k++, s = (s + 1) & (x->cap - 1)) {
		if (x->slot[s] == 0)
			return UINT32_MAX;
		if (eq(ctx, x->slot[s] - 1))
			return x->slot[s] - 1;
	}
	return UINT32_MAX;
}

static void
dix_insert(uint32_t *slot, size_t cap, uint64_t h, uint32_t i)
{
	size_t s = h & (cap - 1);

	while (slot[s] != 0)
		s = (s + 1) & (cap - 1);
	slot[s] = i + 1;
}

int
dix_put(struct dix *x, uint64_t h, uint32_t i, size_t n,
    uint64_t (*hashof)(const void *ctx, uint32_t i), const void *ctx)
{
	if (n * 2 > x->cap) {
		size_t cap = x->cap ? x->cap * 2 : 64;
		uint32_t *ns;

		while (n * 2 > cap)
			cap *= 2;
		if ((ns = calloc(cap, sizeof(*ns))) == NULL)
			return RM_ENOMEM;
		for (size_t s = 0; s < x->cap; s++)
			if (x->slot[s] != 0 && x->slot[s] - 1 != i)
				dix_insert(ns, cap, hashof(ctx, x->slot[s] - 1),
				    x->slot[s] - 1);
		free(x->slot);
		x->slot = ns;
		x->cap = cap;
	}
	dix_insert(x->slot, x->cap, h, i);
	return RM_OK;
}

void
dix_fini(struct dix *x)
{
	free(x->slot);
	x->slot = NULL;
	x->cap = 0;
}

int
dev_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *p;

	if (need <= *cap)
		return RM_OK;
	nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	if ((p = realloc(*arr, nc * elem)) == NULL)
		return RM_ENOMEM;
	*arr = p;
	*cap = nc;
	return RM_OK;
}
