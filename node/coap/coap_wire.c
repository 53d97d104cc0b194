/*
 * coap_wire.c -- message bytes, the deadline heap and the MID map of the
 * own observe engine (coap_wire.h).
 */
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_wire.h"

size_t
cw_opt(uint8_t *p, unsigned *last, unsigned num, const uint8_t *v, size_t len)
{
	unsigned d = num - *last;
	size_t i = 1;

	*last = num;
	p[0] = (uint8_t)((d < 13 ? d : 13) << 4 | (len < 13 ? len : 13));
	if (d >= 13)
		p[i++] = (uint8_t)(d - 13);
	if (len >= 13)
		p[i++] = (uint8_t)(len - 13);
	if (len > 0)
		memcpy(p + i, v, len);
	return i + len;
}

size_t
cw_uint(uint8_t *p, uint64_t v)
{
	size_t n = 0;

	for (uint64_t t = v; t != 0; t >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

size_t
cw_header(uint8_t *p, unsigned type, uint8_t code, uint16_t mid,
    const uint8_t *tok, size_t tkl)
{
	p[0] = (uint8_t)(1u << 6 | (type & 3u) << 4 | (tkl & 15u));
	p[1] = code;
	p[2] = (uint8_t)(mid >> 8);
	p[3] = (uint8_t)mid;
	if (tkl > 0)
		memcpy(p + 4, tok, tkl);
	return 4 + tkl;
}

size_t
cw_tail(uint8_t *p, size_t room, const struct cw_tail *t)
{
	uint8_t v[8];
	unsigned last = 0, szx = 0;
	size_t n = 0, take = t->body_len;
	bool blocks = t->body_len > t->block;

	if (room < CW_TAIL_OPTS)
		return 0;
	if (t->etag != 0) {
		for (int i = 0; i < 8; i++)
			v[i] = (uint8_t)(t->etag >> (56 - 8 * i));
		n += cw_opt(p + n, &last, 4, v, 8);
	}
	if (t->observe >= 0)
		n += cw_opt(p + n, &last, 6, v,
		    cw_uint(v, (uint64_t)t->observe & 0xffffffu));
	if (t->cf != 0)
		n += cw_opt(p + n, &last, 12, v, cw_uint(v, t->cf));
	if (t->max_age_s >= 0)
		n += cw_opt(p + n, &last, 14, v, cw_uint(v,
		    (uint64_t)t->max_age_s));
	if (blocks) {
		while (((size_t)16 << szx) < t->block && szx < 6)
			szx++;
		take = t->block;
		n += cw_opt(p + n, &last, 23, v, cw_uint(v, 8u | szx));
		n += cw_opt(p + n, &last, 28, v, cw_uint(v, t->body_len));
	}
	if (take == 0)
		return n;
	if (n + 1 + take > room)
		return 0;
	p[n++] = 0xff;
	memcpy(p + n, t->body, take);
	return n + take;
}

/* ---- heap ---- */

bool
cw_heap_reserve(struct cw_heap *h, size_t cap)
{
	uint32_t *ids, *pos;
	int64_t *keys;

	if (cap <= h->cap)
		return true;
	if ((ids = realloc(h->ids, cap * sizeof(*ids))) == NULL)
		return false;
	h->ids = ids;
	if ((keys = realloc(h->keys, cap * sizeof(*keys))) == NULL)
		return false;
	h->keys = keys;
	if ((pos = realloc(h->pos, cap * sizeof(*pos))) == NULL)
		return false;
	h->pos = pos;
	for (size_t i = h->cap; i < cap; i++)
		pos[i] = CW_NONE;
	h->cap = cap;
	return true;
}

void
cw_heap_fini(struct cw_heap *h)
{
	free(h->ids);
	free(h->keys);
	free(h->pos);
	memset(h, 0, sizeof(*h));
}

static void
heap_put(struct cw_heap *h, size_t k, uint32_t id, int64_t key)
{
	h->ids[k] = id;
	h->keys[k] = key;
	h->pos[id] = (uint32_t)k;
}

static void
heap_up(struct cw_heap *h, size_t k)
{
	uint32_t id = h->ids[k];
	int64_t key = h->keys[k];

	while (k > 0) {
		size_t up = (k - 1) / 2;
		if (h->keys[up] <= key)
			break;
		heap_put(h, k, h->ids[up], h->keys[up]);
		k = up;
	}
	heap_put(h, k, id, key);
}

static void
heap_down(struct cw_heap *h, size_t k)
{
	uint32_t id = h->ids[k];
	int64_t key = h->keys[k];

	for (;;) {
		size_t l = 2 * k + 1, m = l;
		if (l >= h->n)
			break;
		if (l + 1 < h->n && h->keys[l + 1] < h->keys[l])
			m = l + 1;
		if (key <= h->keys[m])
			break;
		heap_put(h, k, h->ids[m], h->keys[m]);
		k = m;
	}
	heap_put(h, k, id, key);
}

void
cw_heap_set(struct cw_heap *h, uint32_t id, int64_t key)
{
	uint32_t k = h->pos[id];

	if (k == CW_NONE) {
		heap_put(h, h->n++, id, key);
		heap_up(h, h->n - 1);
		return;
	}
	h->keys[k] = key;
	heap_up(h, k);
	heap_down(h, h->pos[id]);
}

void
cw_heap_del(struct cw_heap *h, uint32_t id)
{
	uint32_t k, moved;

	if (id >= h->cap || (k = h->pos[id]) == CW_NONE)
		return;
	h->pos[id] = CW_NONE;
	if (--h->n == k)
		return;
	moved = h->ids[h->n];
	heap_put(h, k, moved, h->keys[h->n]);
	heap_up(h, k);
	heap_down(h, h->pos[moved]);
}

bool
cw_heap_top(const struct cw_heap *h, uint32_t *id, int64_t *key)
{
	if (h->n == 0)
		return false;
	*id = h->ids[0];
	*key = h->keys[0];
	return true;
}

/* ---- MID map ---- */

void
cw_mids_init(struct cw_mids *m)
{
	for (size_t i = 0; i < 65536; i++)
		m->head[i] = CW_NONE;
	m->next = m->at = NULL;
	m->cap = 0;
}

bool
cw_mids_reserve(struct cw_mids *m, size_t cap)
{
	uint32_t *next, *at;

	if (cap <= m->cap)
		return true;
	if ((next = realloc(m->next, cap * sizeof(*next))) == NULL)
		return false;
	m->next = next;
	if ((at = realloc(m->at, cap * sizeof(*at))) == NULL)
		return false;
	m->at = at;
	for (size_t i = m->cap; i < cap; i++)
		next[i] = at[i] = CW_NONE;
	m->cap = cap;
	return true;
}

void
cw_mids_fini(struct cw_mids *m)
{
	free(m->next);
	free(m->at);
	m->next = m->at = NULL;
	m->cap = 0;
}

void
cw_mids_del(struct cw_mids *m, uint32_t id)
{
	uint32_t mid, *p;

	if (id >= m->cap || (mid = m->at[id]) == CW_NONE)
		return;
	/* Chains hold about n / 65536 ids: a walk is short. */
	for (p = &m->head[mid]; *p != CW_NONE; p = &m->next[*p])
		if (*p == id) {
			*p = m->next[id];
			break;
		}
	m->next[id] = m->at[id] = CW_NONE;
}

void
cw_mids_set(struct cw_mids *m, uint32_t id, uint16_t mid)
{
	cw_mids_del(m, id);
	m->next[id] = m->head[mid];
	m->head[mid] = id;
	m->at[id] = mid;
}

uint32_t
cw_mids_first(const struct cw_mids *m, uint16_t mid)
{
	return m->head[mid];
}

uint32_t
cw_mids_next(const struct cw_mids *m, uint32_t id)
{
	return m->next[id];
}
