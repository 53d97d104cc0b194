/*
 * coap_repr.c -- representations of an alert set for the CoAP server:
 * text/plain, application/cbor, application/json (the alert shape of
 * docs/API.md, written by node/repr) and a CBOR array of COSE_Sign1
 * messages. No libcoap here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "node/coap/coap_srv.h"
#include "node/repr/repr.h"

#define REPR_TAG "coap"

/* What becomes of one record of the set (docs/COAP.md, "When the set
 * is too big"). */
enum repr_fate {
	REPR_FULL,              /* the whole item */
	REPR_STUB,              /* a left-out stub naming it */
	REPR_UNNAMED            /* not even a stub fits */
};

/* Pass 1: one record as seen, in provider order. */
struct repr_seen {
	rm_hash h;
	rm_grade grade;
	size_t pos;             /* provider order, 0 = newest */
	size_t item;            /* bytes of its item; SIZE_MAX: over the cap */
	size_t stub;            /* bytes of its stub */
	enum repr_fate fate;
};

struct repr_ctx {
	unsigned cf;
	rm_utc_ms now;
	rm_buf *out;            /* NULL: info only */
	rm_buf items;           /* CBOR, COSE: the array elements */
	rm_buf scratch;         /* pass 1: items measured here */
	size_t budget;          /* bytes for the items (pass 1) */
	int pass;               /* 0 info only, 1 measure, 2 write */
	struct repr_seen *seen;
	size_t n_seen, cap_seen;
	size_t pos;             /* pass 2: records seen so far */
	size_t n_items;         /* pass 2: elements written, stubs included */
	struct alertcoap_set_info info;
	size_t n_bad;           /* COSE items left out */
	int err;
};

bool
alertcoap_cf_supported(unsigned cf)
{
	return cf == ALERTCOAP_CF_TEXT || cf == ALERTCOAP_CF_COSE ||
	    cf == ALERTCOAP_CF_JSON || cf == ALERTCOAP_CF_CBOR;
}

/* ---------------- text helpers ---------------- */

static const char *
grade_zh(rm_grade g)
{
	switch (g) {
	case RM_GRADE_BLUE: return "蓝色";
	case RM_GRADE_YELLOW: return "黄色";
	case RM_GRADE_ORANGE: return "橙色";
	case RM_GRADE_RED: return "红色";
	}
	return "未知";
}

static const char *
grade_en(rm_grade g)
{
	switch (g) {
	case RM_GRADE_BLUE: return "BLUE";
	case RM_GRADE_YELLOW: return "YELLOW";
	case RM_GRADE_ORANGE: return "ORANGE";
	case RM_GRADE_RED: return "RED";
	}
	return "UNKNOWN";
}

/* Marker for statuses under which no siren may sound; NULL for Actual. */
static const char *
status_mark(rm_cap_status s)
{
	switch (s) {
	case RM_STATUS_ACTUAL: return NULL;
	case RM_STATUS_EXERCISE: return "[演练 EXERCISE] ";
	case RM_STATUS_SYSTEM: return "[系统 SYSTEM] ";
	case RM_STATUS_TEST: return "[测试 TEST] ";
	case RM_STATUS_DRAFT: return "[草稿 DRAFT] ";
	}
	return "[未知 UNKNOWN] ";
}

static const char *
name_or(const char *s, const char *dflt)
{
	return s != NULL ? s : dflt;
}

/* Append s with control characters replaced by spaces (one line per
 * alert, whatever the headline holds). */
static int
put_line_text(rm_buf *b, const char *s)
{
	int rv;

	for (; *s != '\0'; s++) {
		uint8_t c = (uint8_t)*s;
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		if ((rv = rm_buf_append_byte(b, c)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static void
format_time(rm_utc_ms t, char out[32])
{
	size_t n;

	rm_utc_format(t, out);
	n = strlen(out);
	if (n >= 5 && strcmp(out + n - 5, ".000Z") == 0)
		memcpy(out + n - 5, "Z", 2);
}

static bool
lang_is(const char *lang, const char *prefix)
{
	size_t n = strlen(prefix);

	return lang != NULL && strncasecmp(lang, prefix, n) == 0 &&
	    (lang[n] == '\0' || lang[n] == '-');
}

static const struct rm_alert_text *
find_lang(const struct rm_alert *a, const char *prefix)
{
	for (size_t i = 0; i < a->n_texts; i++)
		if (lang_is(a->texts[i].lang, prefix))
			return &a->texts[i];
	return NULL;
}

/* The block shown first: zh-CN (any zh) if present, else the first. */
static size_t
primary_text(const struct rm_alert *a)
{
	for (size_t i = 0; i < a->n_texts; i++)
		if (lang_is(a->texts[i].lang, "zh"))
			return i;
	return 0;
}

static int
text_line(rm_buf *b, const struct rm_record *rec)
{
	const struct rm_alert *a = record_alert(rec);
	const struct rm_alert_text *zh, *en, *one;
	const char *mark;
	char ts[32];
	int rv = RM_OK;

	zh = find_lang(a, "zh");
	en = find_lang(a, "en");
	one = zh != NULL ? zh : en != NULL ? en : &a->texts[0];
	if ((mark = status_mark(a->status)) != NULL)
		rv = rm_buf_printf(b, "%s", mark);
	if (rv == RM_OK)
		rv = rm_buf_printf(b, "[%s预警/%s] ", grade_zh(a->grade),
		    grade_en(a->grade));
	if (rv == RM_OK)
		rv = put_line_text(b, name_or(one->event, ""));
	if (rv == RM_OK && zh != NULL && en != NULL) {
		if ((rv = rm_buf_append_byte(b, ' ')) == RM_OK)
			rv = put_line_text(b, name_or(en->event, ""));
	}
	if (rv == RM_OK)
		rv = rm_buf_printf(b, ": ");
	if (rv == RM_OK)
		rv = put_line_text(b, name_or(one->headline, ""));
	if (rv == RM_OK && zh != NULL && en != NULL) {
		if ((rv = rm_buf_printf(b, " | ")) == RM_OK)
			rv = put_line_text(b, name_or(en->headline, ""));
	}
	if (rv == RM_OK)
		rv = rm_buf_printf(b, " (");
	for (size_t i = 0; rv == RM_OK && i < rec->n_areas; i++)
		rv = rm_buf_printf(b, "%s%s", i ? "," : "", rec->areas[i]);
	if (rv == RM_OK)
		rv = rm_buf_printf(b, ")");
	if (rv == RM_OK && rec->expires_ms != 0) {
		format_time(rec->expires_ms, ts);
		rv = rm_buf_printf(b, " until %s", ts);
	}
	if (rv == RM_OK)
		rv = rm_buf_append_byte(b, '\n');
	return rv;
}

/* ---------------- CBOR ---------------- */

static int
cbor_alert(rm_buf *b, const rm_hash *h, const struct rm_record *rec)
{
	const struct rm_alert *a = record_alert(rec);
	size_t pi = primary_text(a);
	int rv;

	/* Keys in deterministic order: by length, then bytewise. */
	if ((rv = rm_cbor_put_map(b, 12)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "oid")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, rec->object_id)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "ver")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, rec->ver)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "hash")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, h->b, sizeof(h->b))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "areas")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, rec->n_areas)) != RM_OK)
		return rv;
	for (size_t i = 0; i < rec->n_areas; i++)
		if ((rv = rm_cbor_put_cstr(b, rec->areas[i])) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(b, "event")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(a->texts[pi].event, ""))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "grade")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(grade_name(a->grade), ""))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "origin")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, rec->origin)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "status")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(cap_status_name(a->status), ""))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "expires")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, rec->expires_ms > 0 ?
	    (uint64_t)rec->expires_ms : 0)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "msgType")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(cap_msgtype_name(a->msg_type), ""))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "headline")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, a->n_texts)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(a->texts[pi].headline, ""))) != RM_OK)
		return rv;
	for (size_t i = 0; i < a->n_texts; i++) {
		if (i == pi)
			continue;
		if ((rv = rm_cbor_put_cstr(b, name_or(a->texts[i].headline, ""))) != RM_OK)
			return rv;
	}
	if ((rv = rm_cbor_put_cstr(b, "identifier")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, name_or(a->identifier, ""))) != RM_OK)
		return rv;
	return RM_OK;
}

/* ---------------- COSE ---------------- */

/* One deterministic CBOR item with tag 18 (COSE_Sign1). */
static bool
is_cose_sign1(const uint8_t *p, size_t n)
{
	rm_cbor_rd rd;
	uint64_t tag;

	rm_cbor_rd_init(&rd, p, n);
	if (rm_cbor_rd_peek(&rd) != RM_CBOR_TAG ||
	    rm_cbor_rd_tag(&rd, &tag) != RM_OK || tag != COSE_TAG_SIGN1)
		return false;
	rm_cbor_rd_init(&rd, p, n);
	return rm_cbor_rd_skip(&rd) == RM_OK && rm_cbor_rd_end(&rd) == RM_OK;
}

/* ---------------- left-out stubs ---------------- */

/* Where a left-out record can be fetched alone: the node's HTTP API,
 * GET /v1/records/{hash} (docs/API.md), the signed record itself. */
static void
stub_href(const rm_hash *h, char out[sizeof("/v1/records/") + 64])
{
	char hex[65];

	rm_hash_hex(h, hex);
	snprintf(out, sizeof("/v1/records/") + 64, "/v1/records/%s", hex);
}

/* The stub of a record left out, in format cf, appended to b. */
static int
stub_put(rm_buf *b, unsigned cf, const rm_hash *h, const struct rm_record *rec)
{
	const struct rm_alert *a = record_alert(rec);
	char href[sizeof("/v1/records/") + 64], hex[65];
	const char *mark;
	json_t *o;
	int rv = RM_OK;

	stub_href(h, href);
	switch (cf) {
	case ALERTCOAP_CF_TEXT:
		if ((mark = status_mark(a->status)) != NULL)
			rv = rm_buf_printf(b, "%s", mark);
		if (rv == RM_OK)
			rv = rm_buf_printf(b, "[未列出 LEFT OUT] [%s预警/%s] ",
			    grade_zh(a->grade), grade_en(a->grade));
		if (rv == RM_OK)
			rv = put_line_text(b, rec->origin);
		if (rv == RM_OK)
			rv = rm_buf_append_byte(b, ' ');
		if (rv == RM_OK)
			rv = put_line_text(b, rec->object_id);
		if (rv == RM_OK)
			rv = rm_buf_printf(b, " ver %llu: %s\n",
			    (unsigned long long)rec->ver, href);
		return rv;
	case ALERTCOAP_CF_JSON:
		rm_hash_hex(h, hex);
		o = json_pack("{s:b,s:s,s:s,s:I,s:s,s:s,s:s,s:s}",
		    "left_out", 1, "origin", rec->origin,
		    "object_id", rec->object_id, "ver", (json_int_t)rec->ver,
		    "hash", hex, "grade", name_or(grade_name(a->grade), ""),
		    "status", name_or(cap_status_name(a->status), ""),
		    "href", href);
		if (o == NULL)
			return RM_ENOMEM;
		rv = repr_dump_buf(o, 0, b);
		json_decref(o);
		return rv;
	default:
		/* CBOR and COSE: 8 keys, deterministic order. */
		if ((rv = rm_cbor_put_map(b, 8)) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "oid")) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, rec->object_id)) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "ver")) != RM_OK ||
		    (rv = rm_cbor_put_uint(b, rec->ver)) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "hash")) != RM_OK ||
		    (rv = rm_cbor_put_bytes(b, h->b, sizeof(h->b))) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "href")) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, href)) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "grade")) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, name_or(grade_name(a->grade), ""))) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "origin")) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, rec->origin)) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "status")) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, name_or(cap_status_name(a->status), ""))) != RM_OK ||
		    (rv = rm_cbor_put_cstr(b, "left_out")) != RM_OK)
			return rv;
		return rm_buf_append_byte(b, 0xf5);     /* true */
	}
}

/* ---------------- the set ---------------- */

/* The item of one record in format cf: the element for CBOR and COSE,
 * the line for text, the object (with its leading comma unless first)
 * for JSON. */
static int
item_put(rm_buf *b, unsigned cf, bool first, const rm_hash *h,
    const uint8_t *p, size_t n, const struct rm_record *rec)
{
	int rv = RM_OK;

	switch (cf) {
	case ALERTCOAP_CF_TEXT:
		return text_line(b, rec);
	case ALERTCOAP_CF_CBOR:
		return cbor_alert(b, h, rec);
	case ALERTCOAP_CF_JSON:
		if (!first)
			rv = rm_buf_append_byte(b, ',');
		if (rv == RM_OK)
			rv = repr_record_dump(rec, h, 0, b);
		return rv;
	default:
		return rm_buf_append(b, p, n);
	}
}

/* Append a stub for the JSON array (its comma unless first). */
static int
stub_elem(rm_buf *b, unsigned cf, bool first, const rm_hash *h,
    const struct rm_record *rec)
{
	int rv = RM_OK;

	if (cf == ALERTCOAP_CF_JSON && !first)
		rv = rm_buf_append_byte(b, ',');
	if (rv == RM_OK)
		rv = stub_put(b, cf, h, rec);
	return rv;
}

/* Pass 1: measure the record's item and stub. */
static int
repr_measure(struct repr_ctx *x, const rm_hash *h, const uint8_t *p,
    size_t n, const struct rm_record *rec)
{
	struct repr_seen *s;
	int rv;

	if (x->n_seen == x->cap_seen) {
		size_t cap = x->cap_seen ? 2 * x->cap_seen : 16;
		void *v = realloc(x->seen, cap * sizeof(*x->seen));
		if (v == NULL)
			return RM_ENOMEM;
		x->seen = v;
		x->cap_seen = cap;
	}
	s = &x->seen[x->n_seen];
	memset(s, 0, sizeof(*s));
	s->h = *h;
	s->grade = record_alert(rec)->grade;
	s->pos = x->n_seen;
	/* Every element counted with a JSON comma: an upper bound. */
	rm_buf_reset(&x->scratch);
	if ((rv = stub_elem(&x->scratch, x->cf, false, h, rec)) != RM_OK)
		return rv;
	s->stub = x->scratch.len;
	rm_buf_reset(&x->scratch);
	if (x->cf == ALERTCOAP_CF_COSE)
		s->item = n;
	else if ((rv = item_put(&x->scratch, x->cf, false, h, p, n, rec)) ==
	    RM_OK)
		s->item = x->scratch.len;
	else if (rv == RM_ETOOBIG)
		s->item = SIZE_MAX;
	else
		return rv;
	if (s->item > x->budget)
		s->item = SIZE_MAX;
	x->n_seen++;
	return RM_OK;
}

/* Pass 2: write the record as decided, falling back to a stub, then to
 * nothing, if the set changed between the passes and it does not fit. */
static int
repr_write(struct repr_ctx *x, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	rm_buf *b = x->cf == ALERTCOAP_CF_CBOR || x->cf == ALERTCOAP_CF_COSE ?
	    &x->items : x->out;
	size_t mark = b->len, i = x->pos++;
	enum repr_fate fate = REPR_STUB;
	int rv;

	if (i < x->n_seen && memcmp(&x->seen[i].h, h, sizeof(*h)) == 0)
		fate = x->seen[i].fate;
	if (fate == REPR_FULL) {
		rv = item_put(b, x->cf, x->n_items == 0, h, p, n, rec);
		if (rv == RM_OK) {
			x->n_items++;
			x->info.n_alerts++;
			return RM_OK;
		}
		b->len = mark;
		if (rv != RM_ETOOBIG)
			return rv;
		fate = REPR_STUB;
	}
	x->info.n_left_out++;
	if (fate == REPR_STUB) {
		rv = stub_elem(b, x->cf, x->n_items == 0, h, rec);
		if (rv == RM_OK) {
			x->n_items++;
			return RM_OK;
		}
		b->len = mark;
		if (rv != RM_ETOOBIG)
			return rv;
	}
	x->info.n_unnamed++;
	return RM_OK;
}

static int
repr_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct repr_ctx *x = arg;
	const struct rm_alert *a = record_alert(rec);
	int rv = RM_OK;

	if (x->err != RM_OK)
		return x->err;
	if (a == NULL || a->n_texts == 0 || a->texts == NULL)
		return 0;
	if (x->cf == ALERTCOAP_CF_COSE && x->pass > 0 &&
	    (p == NULL || !is_cose_sign1(p, n))) {
		if (x->pass == 2)
			x->n_bad++;
		return 0;
	}
	if (x->pass == 1) {
		if ((rv = repr_measure(x, h, p, n, rec)) != RM_OK)
			x->err = rv;
		return rv;
	}
	if (x->pass == 2 && (rv = repr_write(x, h, p, n, rec)) != RM_OK) {
		x->err = rv;
		return rv;
	}
	if (x->pass == 0)
		x->info.n_alerts++;
	if ((int)a->grade > (int)x->info.max_grade)
		x->info.max_grade = a->grade;
	if (rec->expires_ms > x->now && (x->info.next_expiry_ms == 0 ||
	    rec->expires_ms < x->info.next_expiry_ms))
		x->info.next_expiry_ms = rec->expires_ms;
	return 0;
}

/* Highest grade first, then newest (provider order). */
static int
seen_cmp(const void *va, const void *vb)
{
	const struct repr_seen *a = *(const struct repr_seen *const *)va;
	const struct repr_seen *b = *(const struct repr_seen *const *)vb;

	if (a->grade != b->grade)
		return (int)a->grade > (int)b->grade ? -1 : 1;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * Decide each record's fate within x->budget: in priority order
 * (seen_cmp), first a stub for each record while stubs fit, then each
 * stubbed record in the same order becomes its whole item if that
 * still fits (a record that does not fit is skipped, the next ones
 * are still tried).
 */
static int
repr_decide(struct repr_ctx *x)
{
	struct repr_seen **v;
	size_t used = 0;

	if (x->n_seen == 0)
		return RM_OK;
	if ((v = calloc(x->n_seen, sizeof(*v))) == NULL)
		return RM_ENOMEM;
	for (size_t i = 0; i < x->n_seen; i++)
		v[i] = &x->seen[i];
	qsort(v, x->n_seen, sizeof(*v), seen_cmp);
	for (size_t i = 0; i < x->n_seen; i++) {
		if (v[i]->stub <= x->budget - used) {
			v[i]->fate = REPR_STUB;
			used += v[i]->stub;
		} else {
			v[i]->fate = REPR_UNNAMED;
		}
	}
	for (size_t i = 0; i < x->n_seen; i++) {
		if (v[i]->fate != REPR_STUB || v[i]->item == SIZE_MAX)
			continue;
		if (v[i]->item <= v[i]->stub ||
		    v[i]->item - v[i]->stub <= x->budget - used) {
			used = used - v[i]->stub + v[i]->item;
			v[i]->fate = REPR_FULL;
		}
	}
	free(v);
	return RM_OK;
}

/* Bytes around the items: "[" "]" for JSON, the CBOR array head (at
 * most 9 bytes), nothing for text. */
#define REPR_FRAME_MAX 9

int
alertcoap_render(const struct alertcoap_provider *p, const char *area,
    rm_utc_ms now, unsigned cf, rm_buf *out, struct alertcoap_set_info *info,
    rm_why *why)
{
	struct repr_ctx x;
	size_t start = out != NULL ? out->len : 0;
	size_t old_limit = out != NULL ? out->limit : 0;
	size_t cap = ALERTCOAP_BODY_MAX;
	int rv;

	if (p == NULL || p->alerts == NULL)
		return rm_fail(why, RM_EINVAL, "provider: no alert provider");
	if (!alertcoap_cf_supported(cf))
		return rm_fail(why, RM_EINVAL,
		    "accept: content-format %u not supported", cf);
	memset(&x, 0, sizeof(x));
	x.cf = cf;
	x.now = now;
	x.out = out;
	if (out != NULL) {
		/* Cap this representation, keeping any tighter caller cap. */
		if (old_limit != 0 && old_limit >= start &&
		    old_limit - start < cap)
			cap = old_limit - start;
		out->limit = start + cap;
		x.budget = cap > REPR_FRAME_MAX ? cap - REPR_FRAME_MAX : 0;
		x.items.limit = x.budget;
		x.scratch.limit = x.budget;
		/* Pass 1: what each record costs; then who is left out. */
		x.pass = 1;
		rv = p->alerts(p->arg, area, now, repr_each, &x);
		if (x.err == RM_OK && rv != 0)
			x.err = rv;
		if (x.err == RM_OK)
			x.err = repr_decide(&x);
		x.pass = 2;
		if (x.err == RM_OK && cf == ALERTCOAP_CF_JSON)
			x.err = rm_buf_append_byte(out, '[');
		/* Text and JSON are written straight to out: keep the
		 * frame's room ("]", or the empty-set line). */
		if (cf == ALERTCOAP_CF_TEXT || cf == ALERTCOAP_CF_JSON)
			out->limit = start + x.budget;
	}
	if (x.err == RM_OK) {
		rv = p->alerts(p->arg, area, now, repr_each, &x);
		if (x.err == RM_OK && rv != 0)
			x.err = rv;
	}
	if (out != NULL && x.err == RM_OK) {
		out->limit = start + cap;
		switch (cf) {
		case ALERTCOAP_CF_TEXT:
			if (x.n_items == 0)
				x.err = rm_buf_printf(out,
				    "(no active alerts / 无生效预警)\n");
			break;
		case ALERTCOAP_CF_JSON:
			x.err = rm_buf_append_byte(out, ']');
			break;
		case ALERTCOAP_CF_CBOR:
		case ALERTCOAP_CF_COSE:
			x.err = rm_cbor_put_array(out, x.n_items);
			if (x.err == RM_OK)
				x.err = rm_buf_append(out, x.items.data,
				    x.items.len);
			break;
		}
	}
	if (out != NULL)
		out->limit = old_limit;
	rm_buf_fini(&x.items);
	rm_buf_fini(&x.scratch);
	free(x.seen);
	if (x.n_bad > 0)
		rm_log(RM_LOG_WARN, REPR_TAG, "alerts/%s: %zu signed record(s) "
		    "are not a COSE_Sign1 item, left out", area ? area : "*",
		    x.n_bad);
	if (x.err != RM_OK) {
		if (out != NULL)
			out->len = start;
		return rm_fail(why, x.err, "alerts/%s: cannot render: %s",
		    area ? area : "*", rm_strerror(x.err));
	}
	if (info != NULL)
		*info = x.info;
	return RM_OK;
}
