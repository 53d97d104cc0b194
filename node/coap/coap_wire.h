/*
 * coap_wire.h -- the pure pieces of the server's own observe engine
 * (node/coap/coap_own.c), kept apart so that unit tests reach them
 * without a network or libcoap: CoAP message bytes (RFC 7252 §3), a
 * min-heap of retransmission deadlines and a MID -> observer map.
 *
 * Nothing here allocates except cw_heap_reserve() / cw_mids_reserve();
 * nothing is thread-safe (the server thread owns them).
 */
#ifndef RM_NODE_COAP_WIRE_H
#define RM_NODE_COAP_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_NONE UINT32_MAX      /* "no id" in the heap and the MID map */

/* ---- message bytes (RFC 7252 §3) ---- */

/* One option (RFC 7252 §3.1) numbered `num`, after option number *last
 * (updated), value v[0..len), len < 269 and num - *last < 269, written
 * at p (room for 3 + len bytes). Returns its length. */
size_t cw_opt(uint8_t *p, unsigned *last, unsigned num, const uint8_t *v,
    size_t len);
/* v as a CoAP uint (RFC 7252 §3.2: big-endian, no leading zero bytes,
 * 0 is empty) at p (room for 8 bytes). Returns its length. */
size_t cw_uint(uint8_t *p, uint64_t v);
/* The fixed header and token (RFC 7252 §3): version 1, type 0-3, code
 * (class << 5 | detail), message id, token tok[0..tkl), tkl <= 8, at p
 * (room for 12 bytes). Returns 4 + tkl. */
size_t cw_header(uint8_t *p, unsigned type, uint8_t code, uint16_t mid,
    const uint8_t *tok, size_t tkl);

/* What follows the token in a 2.05 answer or notification. */
struct cw_tail {
	uint64_t etag;          /* 8-byte ETag (RFC 7252 §5.10.6), 0 none */
	int64_t observe;        /* Observe (RFC 7641 §2), < 0 none; mod 2^24 */
	unsigned cf;            /* Content-Format; 0 (text/plain) left out */
	int64_t max_age_s;      /* Max-Age, < 0 none */
	const uint8_t *body;    /* whole representation */
	size_t body_len;
	size_t block;           /* body over this many bytes: Block2 0/1/szx
	                           and Size2 (RFC 7959 §2.2/§4); a power of
	                           2 from 16 to 1024 */
};
/* Options and payload of t at p, at most `room` bytes; the number of
 * bytes, or 0 when room is too small (never for room >=
 * CW_TAIL_MAX). */
#define CW_TAIL_OPTS 64
#define CW_TAIL_MAX (CW_TAIL_OPTS + 1024 + 1)
size_t cw_tail(uint8_t *p, size_t room, const struct cw_tail *t);

/* ---- min-heap of deadlines, ids 0..cap-1 ---- */

struct cw_heap {
	uint32_t *ids;          /* heap order */
	int64_t *keys;          /* keys[k] of ids[k] */
	uint32_t *pos;          /* pos[id]: index in ids, CW_NONE if absent */
	size_t n, cap;          /* entries; capacity in ids */
};
/* Room for ids below cap (keeps the entries); false: out of memory,
 * nothing changed. */
bool cw_heap_reserve(struct cw_heap *h, size_t cap);
void cw_heap_fini(struct cw_heap *h);
/* Insert id (< cap) with key, or move it to key if present. */
void cw_heap_set(struct cw_heap *h, uint32_t id, int64_t key);
/* Remove id if present. */
void cw_heap_del(struct cw_heap *h, uint32_t id);
/* The smallest key and its id; false when empty. */
bool cw_heap_top(const struct cw_heap *h, uint32_t *id, int64_t *key);

/* ---- MID -> ids (RFC 7252 §4.4: a MID is unique per endpoint, so
 * several endpoints may share one; each id is in at most one chain) ---- */

struct cw_mids {
	uint32_t head[65536];
	uint32_t *next;         /* next[id] in its chain */
	uint32_t *at;           /* at[id]: its MID, CW_NONE if unlinked */
	size_t cap;
};
void cw_mids_init(struct cw_mids *m);
bool cw_mids_reserve(struct cw_mids *m, size_t cap);
void cw_mids_fini(struct cw_mids *m);
/* Link id (< cap) under mid, unlinking it from its previous MID. */
void cw_mids_set(struct cw_mids *m, uint32_t id, uint16_t mid);
/* Unlink id (nothing if unlinked). */
void cw_mids_del(struct cw_mids *m, uint32_t id);
/* First id under mid / the one after id; CW_NONE at the end. */
uint32_t cw_mids_first(const struct cw_mids *m, uint16_t mid);
uint32_t cw_mids_next(const struct cw_mids *m, uint32_t id);

#endif /* RM_NODE_COAP_WIRE_H */
