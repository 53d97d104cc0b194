/*
 * cbor.c -- deterministic CBOR (RFC 8949 §4.2.1) on top of libcbor.
 *
 * The writer uses libcbor's encoders, which always choose the shortest
 * head. The reader decodes one head at a time with cbor_stream_decode()
 * and checks, from the number of bytes libcbor consumed, that the head
 * was the shortest possible one; it refuses indefinite lengths, floats,
 * simple values other than true/false/null, and out-of-order map keys.
 * libcbor types do not leave this file.
 */
#include <string.h>

#include <cbor.h>

#include "common/common.h"

#define CBOR_DEFAULT_MAX_DEPTH 16

/* ---------------- writer ---------------- */

#define PUT_HEAD(b, call)                                                  \
	do {                                                               \
		unsigned char h_[9];                                       \
		size_t n_ = (call);                                        \
		if (n_ == 0)                                               \
			return RM_EINVAL;                                  \
		return rm_buf_append((b), h_, n_);                         \
	} while (0)

int
rm_cbor_put_uint(rm_buf *b, uint64_t v)
{
	PUT_HEAD(b, cbor_encode_uint(v, h_, sizeof(h_)));
}

int
rm_cbor_put_int(rm_buf *b, int64_t v)
{
	if (v >= 0)
		return rm_cbor_put_uint(b, (uint64_t)v);
	PUT_HEAD(b, cbor_encode_negint((uint64_t)(-(v + 1)), h_, sizeof(h_)));
}

static int
put_string(rm_buf *b, bool text, const void *p, size_t n)
{
	unsigned char h[9];
	size_t hn, old = b->len;
	int rv;

	hn = text ? cbor_encode_string_start(n, h, sizeof(h)) :
	    cbor_encode_bytestring_start(n, h, sizeof(h));
	if (hn == 0)
		return RM_EINVAL;
	if ((rv = rm_buf_reserve(b, hn + n)) != RM_OK)
		return rv;
	if ((rv = rm_buf_append(b, h, hn)) != RM_OK ||
	    (rv = rm_buf_append(b, p, n)) != RM_OK) {
		b->len = old;
		return rv;
	}
	return RM_OK;
}

int
rm_cbor_put_bytes(rm_buf *b, const void *p, size_t n)
{
	return put_string(b, false, p, n);
}

int
rm_cbor_put_text(rm_buf *b, const char *s, size_t n)
{
	return put_string(b, true, s, n);
}

int
rm_cbor_put_cstr(rm_buf *b, const char *s)
{
	return put_string(b, true, s, strlen(s));
}

int
rm_cbor_put_array(rm_buf *b, size_t n)
{
	PUT_HEAD(b, cbor_encode_array_start(n, h_, sizeof(h_)));
}

int
rm_cbor_put_map(rm_buf *b, size_t npairs)
{
	PUT_HEAD(b, cbor_encode_map_start(npairs, h_, sizeof(h_)));
}

int
rm_cbor_put_tag(rm_buf *b, uint64_t tag)
{
	PUT_HEAD(b, cbor_encode_tag(tag, h_, sizeof(h_)));
}

int
rm_cbor_put_bool(rm_buf *b, bool v)
{
	PUT_HEAD(b, cbor_encode_bool(v, h_, sizeof(h_)));
}

/* ---------------- reader ---------------- */

enum head_kind {
	H_NONE, H_UINT, H_NEGINT, H_BYTES, H_TEXT, H_ARRAY, H_MAP, H_TAG,
	H_BOOL, H_NULL, H_INDEF, H_FLOAT, H_UNDEF,
};

struct head {
	enum head_kind kind;
	uint64_t val;           /* int value, length, count or tag */
	const uint8_t *data;    /* string contents */
	bool bval;
	size_t read;            /* bytes consumed, head and contents */
};

static void cb_u8(void *c, uint8_t v) { ((struct head *)c)->kind = H_UINT; ((struct head *)c)->val = v; }
static void cb_u16(void *c, uint16_t v) { ((struct head *)c)->kind = H_UINT; ((struct head *)c)->val = v; }
static void cb_u32(void *c, uint32_t v) { ((struct head *)c)->kind = H_UINT; ((struct head *)c)->val = v; }
static void cb_u64(void *c, uint64_t v) { ((struct head *)c)->kind = H_UINT; ((struct head *)c)->val = v; }
static void cb_n8(void *c, uint8_t v) { ((struct head *)c)->kind = H_NEGINT; ((struct head *)c)->val = v; }
static void cb_n16(void *c, uint16_t v) { ((struct head *)c)->kind = H_NEGINT; ((struct head *)c)->val = v; }
static void cb_n32(void *c, uint32_t v) { ((struct head *)c)->kind = H_NEGINT; ((struct head *)c)->val = v; }
static void cb_n64(void *c, uint64_t v) { ((struct head *)c)->kind = H_NEGINT; ((struct head *)c)->val = v; }

static void
cb_bytes(void *c, cbor_data d, size_t n)
{
	struct head *h = c;

	h->kind = H_BYTES;
	h->data = d;
	h->val = n;
}

static void
cb_text(void *c, cbor_data d, size_t n)
{
	struct head *h = c;

	h->kind = H_TEXT;
	h->data = d;
	h->val = n;
}

static void cb_array(void *c, size_t n) { ((struct head *)c)->kind = H_ARRAY; ((struct head *)c)->val = n; }
static void cb_map(void *c, size_t n) { ((struct head *)c)->kind = H_MAP; ((struct head *)c)->val = n; }
static void cb_tag(void *c, uint64_t v) { ((struct head *)c)->kind = H_TAG; ((struct head *)c)->val = v; }
static void cb_indef(void *c) { ((struct head *)c)->kind = H_INDEF; }
static void cb_float(void *c, float f) { (void)f; ((struct head *)c)->kind = H_FLOAT; }
static void cb_double(void *c, double f) { (void)f; ((struct head *)c)->kind = H_FLOAT; }
static void cb_undef(void *c) { ((struct head *)c)->kind = H_UNDEF; }
static void cb_null(void *c) { ((struct head *)c)->kind = H_NULL; }

static void
cb_bool(void *c, bool v)
{
	struct head *h = c;

	h->kind = H_BOOL;
	h->bval = v;
}

static const struct cbor_callbacks head_callbacks = {
	.uint8 = cb_u8, .uint16 = cb_u16, .uint32 = cb_u32, .uint64 = cb_u64,
	.negint8 = cb_n8, .negint16 = cb_n16, .negint32 = cb_n32,
	.negint64 = cb_n64,
	.byte_string = cb_bytes, .byte_string_start = cb_indef,
	.string = cb_text, .string_start = cb_indef,
	.array_start = cb_array, .indef_array_start = cb_indef,
	.map_start = cb_map, .indef_map_start = cb_indef,
	.tag = cb_tag,
	.float2 = cb_float, .float4 = cb_float, .float8 = cb_double,
	.undefined = cb_undef, .null = cb_null, .boolean = cb_bool,
	.indef_break = cb_indef,
};

static size_t
head_size(uint64_t v)
{
	if (v < 24)
		return 1;
	if (v <= 0xff)
		return 2;
	if (v <= 0xffff)
		return 3;
	if (v <= 0xffffffffu)
		return 5;
	return 9;
}

/* Decode the next head at rd->off without consuming it. */
static int
head_peek(const rm_cbor_rd *rd, struct head *h)
{
	struct cbor_decoder_result r;
	size_t hs;

	memset(h, 0, sizeof(*h));
	if (rd->off >= rd->n)
		return RM_EMALFORMED;
	/* libcbor 0.8's streaming decoder rejects the one-byte tag heads
	 * 0xc6..0xd4 as "unassigned", which includes COSE_Sign1's tag 18
	 * (0xd2): decode one-byte tag heads (major type 6, value < 24) here. */
	if ((rd->p[rd->off] >> 5) == 6 && (rd->p[rd->off] & 0x1f) < 24) {
		h->kind = H_TAG;
		h->val = rd->p[rd->off] & 0x1f;
		h->read = 1;
		return RM_OK;
	}
	r = cbor_stream_decode(rd->p + rd->off, rd->n - rd->off,
	    &head_callbacks, h);
	if (r.status == CBOR_DECODER_NEDATA)
		return RM_EMALFORMED;
	if (r.status != CBOR_DECODER_FINISHED || h->kind == H_NONE)
		return RM_EMALFORMED;
	h->read = r.read;
	switch (h->kind) {
	case H_UINT: case H_NEGINT: case H_ARRAY: case H_MAP: case H_TAG:
		if (r.read != head_size(h->val))
			return RM_ENONCANON;
		break;
	case H_BYTES: case H_TEXT:
		if (r.read < h->val)
			return RM_EMALFORMED;
		hs = r.read - h->val;
		if (hs != head_size(h->val))
			return RM_ENONCANON;
		break;
	case H_INDEF:
		return RM_ENONCANON;
	case H_FLOAT: case H_UNDEF:
		return RM_EBADVALUE;
	default:
		break;
	}
	return RM_OK;
}

static int
head_take(rm_cbor_rd *rd, enum head_kind want, struct head *h)
{
	int rv;

	if ((rv = head_peek(rd, h)) != RM_OK)
		return rv;
	if (h->kind != want)
		return RM_EBADVALUE;
	rd->off += h->read;
	return RM_OK;
}

const char *
rm_cbor_type_name(rm_cbor_type t)
{
	switch (t) {
	case RM_CBOR_UINT: return "unsigned integer";
	case RM_CBOR_NEGINT: return "negative integer";
	case RM_CBOR_BYTES: return "byte string";
	case RM_CBOR_TEXT: return "text string";
	case RM_CBOR_ARRAY: return "array";
	case RM_CBOR_MAP: return "map";
	case RM_CBOR_TAG: return "tag";
	case RM_CBOR_BOOL: return "boolean";
	case RM_CBOR_NULL: return "null";
	case RM_CBOR_END: return "end of input";
	default: return "invalid item";
	}
}

void
rm_cbor_rd_init(rm_cbor_rd *rd, const void *p, size_t n)
{
	rd->p = p;
	rd->n = n;
	rd->off = 0;
	rd->depth = 0;
	rd->max_depth = CBOR_DEFAULT_MAX_DEPTH;
}

rm_cbor_type
rm_cbor_rd_peek(const rm_cbor_rd *rd)
{
	struct head h;

	if (rd->off >= rd->n)
		return RM_CBOR_END;
	if (head_peek(rd, &h) != RM_OK)
		return RM_CBOR_OTHER;
	switch (h.kind) {
	case H_UINT: return RM_CBOR_UINT;
	case H_NEGINT: return RM_CBOR_NEGINT;
	case H_BYTES: return RM_CBOR_BYTES;
	case H_TEXT: return RM_CBOR_TEXT;
	case H_ARRAY: return RM_CBOR_ARRAY;
	case H_MAP: return RM_CBOR_MAP;
	case H_TAG: return RM_CBOR_TAG;
	case H_BOOL: return RM_CBOR_BOOL;
	case H_NULL: return RM_CBOR_NULL;
	default: return RM_CBOR_OTHER;
	}
}

int
rm_cbor_rd_uint(rm_cbor_rd *rd, uint64_t *out)
{
	struct head h;
	int rv;

	if ((rv = head_take(rd, H_UINT, &h)) != RM_OK)
		return rv;
	*out = h.val;
	return RM_OK;
}

int
rm_cbor_rd_int(rm_cbor_rd *rd, int64_t *out)
{
	struct head h;
	int rv;

	if ((rv = head_peek(rd, &h)) != RM_OK)
		return rv;
	if ((h.kind != H_UINT && h.kind != H_NEGINT) || h.val > INT64_MAX)
		return RM_EBADVALUE;
	rd->off += h.read;
	*out = h.kind == H_UINT ? (int64_t)h.val : -1 - (int64_t)h.val;
	return RM_OK;
}

int
rm_cbor_rd_bytes(rm_cbor_rd *rd, const uint8_t **p, size_t *n)
{
	struct head h;
	int rv;

	if ((rv = head_take(rd, H_BYTES, &h)) != RM_OK)
		return rv;
	*p = h.data;
	*n = (size_t)h.val;
	return RM_OK;
}

int
rm_cbor_rd_text(rm_cbor_rd *rd, const char **p, size_t *n)
{
	struct head h;
	int rv;

	if ((rv = head_peek(rd, &h)) != RM_OK)
		return rv;
	if (h.kind != H_TEXT ||
	    !rm_utf8_valid((const char *)h.data, (size_t)h.val))
		return RM_EBADVALUE;
	rd->off += h.read;
	*p = (const char *)h.data;
	*n = (size_t)h.val;
	return RM_OK;
}

int
rm_cbor_rd_array(rm_cbor_rd *rd, size_t *n)
{
	struct head h;
	int rv;

	if ((rv = head_take(rd, H_ARRAY, &h)) != RM_OK)
		return rv;
	/* Each element needs at least one byte: reject absurd counts early. */
	if (h.val > rd->n - rd->off)
		return RM_EMALFORMED;
	*n = (size_t)h.val;
	return RM_OK;
}

int
rm_cbor_rd_map(rm_cbor_rd *rd, size_t *npairs)
{
	struct head h;
	int rv;

	if ((rv = head_take(rd, H_MAP, &h)) != RM_OK)
		return rv;
	if (h.val > (rd->n - rd->off) / 2)
		return RM_EMALFORMED;
	*npairs = (size_t)h.val;
	return RM_OK;
}

int
rm_cbor_rd_tag(rm_cbor_rd *rd, uint64_t *tag)
{
	struct head h;
	int rv;

	if ((rv = head_take(rd, H_TAG, &h)) != RM_OK)
		return rv;
	*tag = h.val;
	return RM_OK;
}

static int skip_item(rm_cbor_rd *rd, unsigned depth);

static int
skip_map_entries(rm_cbor_rd *rd, uint64_t npairs, unsigned depth)
{
	rm_cbor_keys k;
	int rv;

	rm_cbor_keys_init(&k);
	for (uint64_t i = 0; i < npairs; i++) {
		size_t start = rd->off;

		if ((rv = skip_item(rd, depth)) != RM_OK)
			return rv;
		if (k.prev != NULL) {
			size_t len = rd->off - start;
			size_t m = len < k.prev_len ? len : k.prev_len;
			int c = memcmp(rd->p + start, k.prev, m);
			if (c < 0 || (c == 0 && len <= k.prev_len))
				return RM_ENONCANON;
		}
		k.prev = rd->p + start;
		k.prev_len = rd->off - start;
		if ((rv = skip_item(rd, depth)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
skip_item(rm_cbor_rd *rd, unsigned depth)
{
	struct head h;
	int rv;

	if (depth > rd->max_depth)
		return RM_ETOOBIG;
	if ((rv = head_peek(rd, &h)) != RM_OK)
		return rv;
	if (h.kind == H_TEXT &&
	    !rm_utf8_valid((const char *)h.data, (size_t)h.val))
		return RM_EBADVALUE;
	rd->off += h.read;
	switch (h.kind) {
	case H_ARRAY:
		if (h.val > rd->n - rd->off)
			return RM_EMALFORMED;
		for (uint64_t i = 0; i < h.val; i++)
			if ((rv = skip_item(rd, depth + 1)) != RM_OK)
				return rv;
		return RM_OK;
	case H_MAP:
		if (h.val > (rd->n - rd->off) / 2)
			return RM_EMALFORMED;
		return skip_map_entries(rd, h.val, depth + 1);
	case H_TAG:
		return skip_item(rd, depth + 1);
	default:
		return RM_OK;
	}
}

int
rm_cbor_rd_skip(rm_cbor_rd *rd)
{
	size_t start = rd->off;
	int rv;

	if ((rv = skip_item(rd, rd->depth)) != RM_OK)
		rd->off = start;
	return rv;
}

int
rm_cbor_rd_end(const rm_cbor_rd *rd)
{
	return rd->off == rd->n ? RM_OK : RM_EMALFORMED;
}

void
rm_cbor_keys_init(rm_cbor_keys *k)
{
	k->prev = NULL;
	k->prev_len = 0;
}

static int
key_order(rm_cbor_rd *rd, rm_cbor_keys *k, size_t start)
{
	size_t len = rd->off - start;

	if (k->prev != NULL) {
		size_t m = len < k->prev_len ? len : k->prev_len;
		int c = memcmp(rd->p + start, k->prev, m);
		if (c < 0 || (c == 0 && len <= k->prev_len))
			return RM_ENONCANON;
	}
	k->prev = rd->p + start;
	k->prev_len = len;
	return RM_OK;
}

int
rm_cbor_rd_key(rm_cbor_rd *rd, rm_cbor_keys *k, const char **key, size_t *len)
{
	size_t start = rd->off;
	const char *p;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_text(rd, &p, &n)) != RM_OK)
		return rv;
	if ((rv = key_order(rd, k, start)) != RM_OK) {
		rd->off = start;
		return rv;
	}
	*key = p;
	*len = n;
	return RM_OK;
}

int
rm_cbor_rd_ikey(rm_cbor_rd *rd, rm_cbor_keys *k, int64_t *key)
{
	size_t start = rd->off;
	int64_t v;
	int rv;

	if ((rv = rm_cbor_rd_int(rd, &v)) != RM_OK)
		return rv;
	if ((rv = key_order(rd, k, start)) != RM_OK) {
		rd->off = start;
		return rv;
	}
	*key = v;
	return RM_OK;
}

bool
rm_cbor_key_is(const char *key, size_t len, const char *lit)
{
	return strlen(lit) == len && memcmp(key, lit, len) == 0;
}
