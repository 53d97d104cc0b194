/*
 * notice_kind.c -- the test-only record kind "notice" (notice_kind.h),
 * written against the public API only: schemas/schemas.h and the strict
 * CBOR reader and writer of common/common.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notice_kind.h"

static int
notice_encode(const void *body, rm_buf *out)
{
	const struct notice *n = body;
	int rv;

	if ((rv = rm_cbor_put_map(out, 4)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "to")) != RM_OK ||
	    (rv = rm_cbor_put_array(out, n->n_to)) != RM_OK)
		return rv;
	for (size_t i = 0; i < n->n_to; i++)
		if ((rv = rm_cbor_put_cstr(out, n->to[i])) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(out, "note")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, n->note)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "grade")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, grade_name(n->grade))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, "state")) != RM_OK)
		return rv;
	return rm_cbor_put_uint(out, n->state);
}

static int
dec_text(rm_cbor_rd *rd, const char *field, const char **p, size_t *len,
    rm_why *why)
{
	int rv = rm_cbor_rd_text(rd, p, len);

	return rv == RM_OK ? RM_OK : rm_fail(why, rv, "notice.%s: expected "
	    "text", field);
}

static int
notice_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	static const char *const keys[4] = { "to", "note", "grade", "state" };
	struct notice *n = body;
	rm_cbor_keys ks;
	const char *k, *p;
	size_t npairs, klen, len, cnt;
	int rv;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "notice: expected a map");
	if (npairs != 4)
		return rm_fail(why, RM_EMISSING, "notice: 4 fields required, "
		    "got %zu", npairs);
	rm_cbor_keys_init(&ks);
	for (int i = 0; i < 4; i++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK)
			return rm_fail(why, rv, "notice: bad key");
		if (!rm_cbor_key_is(k, klen, keys[i]))
			return rm_fail(why, RM_EUNKNOWN, "notice: unexpected "
			    "key at %d (want \"%s\")", i, keys[i]);
		switch (i) {
		case 0:
			if ((rv = rm_cbor_rd_array(rd, &cnt)) != RM_OK)
				return rm_fail(why, rv, "notice.to: expected "
				    "array");
			if (cnt == 0 || cnt > NOTICE_TO_MAX)
				return rm_fail(why, RM_EBADVALUE, "notice.to: "
				    "1..%d agencies", NOTICE_TO_MAX);
			for (size_t j = 0; j < cnt; j++) {
				if ((rv = dec_text(rd, "to", &p, &len, why)) !=
				    RM_OK)
					return rv;
				if (len > RM_AGENCY_ID_MAX)
					return rm_fail(why, RM_ETOOBIG,
					    "notice.to[%zu]: too long", j);
				memcpy(n->to[j], p, len);
				n->to[j][len] = '\0';
			}
			n->n_to = cnt;
			break;
		case 1:
			if ((rv = dec_text(rd, "note", &p, &len, why)) != RM_OK)
				return rv;
			if ((n->note = strndup(p, len)) == NULL)
				return rm_fail(why, RM_ENOMEM, "notice.note");
			break;
		case 2: {
			char g[16];

			if ((rv = dec_text(rd, "grade", &p, &len, why)) != RM_OK)
				return rv;
			snprintf(g, sizeof(g), "%.*s", (int)len, p);
			if (len >= sizeof(g) || grade_parse(g, &n->grade) !=
			    RM_OK)
				return rm_fail(why, RM_EBADVALUE, "notice.grade: "
				    "unknown grade");
			break;
		}
		case 3:
			if ((rv = rm_cbor_rd_uint(rd, &n->state)) != RM_OK)
				return rm_fail(why, rv, "notice.state: expected "
				    "uint");
			break;
		}
	}
	return RM_OK;
}

static int
notice_validate(const struct rm_record *rec, rm_why *why)
{
	const struct notice *n = rec->body;

	if (n->n_to == 0 || n->n_to > NOTICE_TO_MAX)
		return rm_fail(why, RM_EBADVALUE, "notice.to: 1..%d agencies",
		    NOTICE_TO_MAX);
	for (size_t i = 0; i < n->n_to; i++)
		if (!agency_id_valid(n->to[i]))
			return rm_fail(why, RM_EBADVALUE, "notice.to[%zu]: not "
			    "an agency id", i);
	if (n->note == NULL || n->note[0] == '\0')
		return rm_fail(why, RM_EMISSING, "notice.note: required");
	if (grade_name(n->grade) == NULL)
		return rm_fail(why, RM_EBADVALUE, "notice.grade: out of range");
	if (n->state > 1)
		return rm_fail(why, RM_EBADVALUE, "notice.state: 0 or 1");
	return RM_OK;
}

static void
notice_fini(void *body)
{
	struct notice *n = body;

	free(n->note);
	n->note = NULL;
}

static rm_grade
notice_grade(const struct rm_record *rec)
{
	return ((const struct notice *)rec->body)->grade;
}

static size_t
notice_recipients(const struct rm_record *rec, const char **out, size_t max)
{
	const struct notice *n = rec->body;

	for (size_t i = 0; i < n->n_to && i < max; i++)
		out[i] = n->to[i];
	return n->n_to;
}

static bool
notice_in_force(const struct rm_record *rec)
{
	return ((const struct notice *)rec->body)->state == 0;
}

static int
notice_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct notice *n = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];
	int rv;

	for (size_t i = 0; i < n->n_to; i++) {
		snprintf(key, sizeof(key), "to=%s", n->to[i]);
		if ((rv = emit(arg, key)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static void
notice_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct notice *n = rec->body;

	snprintf(out, len, "notice %s to %s: %s", grade_name(n->grade),
	    n->to[0], n->note);
}

const struct rm_kind_ops notice_kind = {
	.name = "notice",
	.cddl = "(tests/schemas/notice_kind.h)",
	.body_size = sizeof(struct notice),
	.encode = notice_encode,
	.decode = notice_decode,
	.validate = notice_validate,
	.fini = notice_fini,
	.grade = notice_grade,
	.recipients = notice_recipients,
	.in_force = notice_in_force,
	.index_keys = notice_index_keys,
	.summary = notice_summary,
};

void
notice_kind_register(void)
{
	rm_why why;

	if (kind_register(&notice_kind, &why) != RM_OK) {
		fprintf(stderr, "notice_kind_register: %s\n", why.msg);
		abort();
	}
}

void
notice_record(struct rm_record *r, struct notice *n, const char *origin,
    const char *oid, const char *area, rm_grade g, const char *to,
    uint64_t state)
{
	static char note[] = "check the pumping station";

	memset(r, 0, sizeof(*r));
	memset(n, 0, sizeof(*n));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &notice_kind;
	r->body = n;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->object_id, sizeof(r->object_id), "%s", oid);
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = 1786000000000LL;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "%s", area);
	n->n_to = 1;
	snprintf(n->to[0], sizeof(n->to[0]), "%s", to);
	n->note = note;
	n->grade = g;
	n->state = state;
}
