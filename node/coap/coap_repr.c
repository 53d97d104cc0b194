/*
 * coap_repr.c -- representations of an alert set for the CoAP server:
 * text/plain, application/cbor, application/json (the alert shape of
 * docs/API.md, written by node/repr) and a CBOR array of COSE_Sign1
 * messages. No libcoap here.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "node/coap/coap_srv.h"
#include "node/repr/repr.h"

#define REPR_TAG "coap"

struct repr_ctx {
	unsigned cf;
	rm_utc_ms now;
	rm_buf *out;            /* NULL: info only */
	rm_buf items;           /* COSE: the array elements */
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

/* ---------------- the set ---------------- */

static int
repr_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct repr_ctx *x = arg;
	rm_buf *b = x->out;
	size_t mark;
	int rv = RM_OK;

	if (x->err != RM_OK)
		return x->err;
	if (record_alert(rec) == NULL ||
	    record_alert(rec)->n_texts == 0 || record_alert(rec)->texts == NULL)
		return 0;
	if (b != NULL) {
		mark = b->len;
		switch (x->cf) {
		case ALERTCOAP_CF_TEXT:
			rv = text_line(b, rec);
			break;
		case ALERTCOAP_CF_CBOR:
			rv = cbor_alert(&x->items, h, rec);
			break;
		case ALERTCOAP_CF_JSON:
			if (x->info.n_alerts > 0)
				rv = rm_buf_append_byte(b, ',');
			if (rv == RM_OK)
				rv = repr_record_dump(rec, h, 0, b);
			break;
		case ALERTCOAP_CF_COSE:
			if (p == NULL || !is_cose_sign1(p, n)) {
				x->n_bad++;
				return 0;
			}
			rv = rm_buf_append(&x->items, p, n);
			break;
		}
		if (rv != RM_OK) {
			b->len = mark;
			x->err = rv;
			return rv;
		}
	}
	x->info.n_alerts++;
	if ((int)record_alert(rec)->grade > (int)x->info.max_grade)
		x->info.max_grade = record_alert(rec)->grade;
	if (rec->expires_ms > x->now && (x->info.next_expiry_ms == 0 ||
	    rec->expires_ms < x->info.next_expiry_ms))
		x->info.next_expiry_ms = rec->expires_ms;
	return 0;
}

int
alertcoap_render(const struct alertcoap_provider *p, const char *area,
    rm_utc_ms now, unsigned cf, rm_buf *out, struct alertcoap_set_info *info,
    rm_why *why)
{
	struct repr_ctx x;
	size_t start = out != NULL ? out->len : 0;
	size_t old_limit = out != NULL ? out->limit : 0;
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
	x.items.limit = ALERTCOAP_BODY_MAX;
	if (out != NULL) {
		/* Cap this representation, keeping any tighter caller cap. */
		if (old_limit == 0 || old_limit - start > ALERTCOAP_BODY_MAX)
			out->limit = start + ALERTCOAP_BODY_MAX;
		if (cf == ALERTCOAP_CF_JSON)
			x.err = rm_buf_append_byte(out, '[');
	}
	if (x.err == RM_OK) {
		rv = p->alerts(p->arg, area, now, repr_each, &x);
		if (x.err == RM_OK && rv != 0)
			x.err = rv;
	}
	if (out != NULL && x.err == RM_OK) {
		switch (cf) {
		case ALERTCOAP_CF_TEXT:
			if (x.info.n_alerts == 0)
				x.err = rm_buf_printf(out,
				    "(no active alerts / 无生效预警)\n");
			break;
		case ALERTCOAP_CF_JSON:
			x.err = rm_buf_append_byte(out, ']');
			break;
		case ALERTCOAP_CF_CBOR:
		case ALERTCOAP_CF_COSE:
			x.err = rm_cbor_put_array(out, x.info.n_alerts);
			if (x.err == RM_OK)
				x.err = rm_buf_append(out, x.items.data,
				    x.items.len);
			break;
		}
	}
	if (out != NULL)
		out->limit = old_limit;
	rm_buf_fini(&x.items);
	if (x.n_bad > 0)
		rm_log(RM_LOG_WARN, REPR_TAG, "alerts/%s: %zu signed record(s) "
		    "are not a COSE_Sign1 item, left out", area ? area : "*",
		    x.n_bad);
	if (x.err != RM_OK) {
		if (out != NULL)
			out->len = start;
		if (x.err == RM_ETOOBIG)
			return rm_fail(why, RM_ETOOBIG, "alerts/%s: "
			    "representation over %d bytes",
			    area ? area : "*", ALERTCOAP_BODY_MAX);
		return rm_fail(why, x.err, "alerts/%s: cannot render: %s",
		    area ? area : "*", rm_strerror(x.err));
	}
	if (info != NULL)
		*info = x.info;
	return RM_OK;
}
