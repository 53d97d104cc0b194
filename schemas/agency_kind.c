/*
 * agency_kind.c -- the record kind "agency" (schemas.h, "the agency
 * kind"; CDDL in schemas/agency.cddl): one roster entry of a federation
 * as its registrar signs it, with the agency's key history.
 *
 * The body is a map with text keys in deterministic order (RFC 8949
 * §4.2.1); optional keys ("enc"; a key's "end", "until", "last_seq") are
 * absent rather than null. Kinds are carried by name, so a node that
 * does not know a kind yet keeps the name and grants nothing for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

static const char *const agency_roles[] = { "centre", "department",
	"district" };
static const char *const key_ends[] = { "open", "rotated", "revoked",
	"removed" };

const char *
key_end_name(enum rm_key_end e)
{
	return (unsigned)e < sizeof(key_ends) / sizeof(key_ends[0]) ?
	    key_ends[e] : NULL;
}

struct rm_agency *
record_agency(const struct rm_record *rec)
{
	if (rec == NULL || rec->kind != &rm_kind_agency)
		return NULL;
	return rec->body;
}

/* ---------------- encoder ---------------- */

static int
put_key(rm_buf *b, const struct rm_agency_key *k)
{
	size_t n = 2 + (k->until != 0 ? 2 : 0) + (k->last_seq != 0);
	int rv;

	if ((rv = rm_cbor_put_map(b, n)) != RM_OK)
		return rv;
	if (k->until != 0 &&
	    ((rv = rm_cbor_put_cstr(b, "end")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, key_end_name(k->end))) != RM_OK))
		return rv;
	if ((rv = rm_cbor_put_cstr(b, "key")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, k->spki, k->spki_len)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "from")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, (uint64_t)k->from)) != RM_OK)
		return rv;
	if (k->until != 0 &&
	    ((rv = rm_cbor_put_cstr(b, "until")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, (uint64_t)k->until)) != RM_OK))
		return rv;
	if (k->last_seq != 0 &&
	    ((rv = rm_cbor_put_cstr(b, "last_seq")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, k->last_seq)) != RM_OK))
		return rv;
	return RM_OK;
}

static int
agency_encode(const void *body, rm_buf *b)
{
	const struct rm_agency *a = body;
	int rv;

	/* id, enc, keys, role, areas, kinds, status, name_en, name_zh,
	 * max_grade: length first, then bytewise (RFC 8949 §4.2.1). */
	if ((rv = rm_cbor_put_map(b, 9 + (a->enc_len > 0))) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "id")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->id)) != RM_OK)
		return rv;
	if (a->enc_len > 0 &&
	    ((rv = rm_cbor_put_cstr(b, "enc")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, a->enc, a->enc_len)) != RM_OK))
		return rv;
	if ((rv = rm_cbor_put_cstr(b, "keys")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, a->n_keys)) != RM_OK)
		return rv;
	for (size_t i = 0; i < a->n_keys; i++)
		if ((rv = put_key(b, &a->keys[i])) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(b, "role")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->role)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "areas")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, a->n_areas)) != RM_OK)
		return rv;
	for (size_t i = 0; i < a->n_areas; i++)
		if ((rv = rm_cbor_put_cstr(b, a->areas[i])) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(b, "kinds")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, a->n_kinds)) != RM_OK)
		return rv;
	for (size_t i = 0; i < a->n_kinds; i++)
		if ((rv = rm_cbor_put_cstr(b, a->kinds[i])) != RM_OK)
			return rv;
	if ((rv = rm_cbor_put_cstr(b, "status")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->removed ? "removed" : "active")) !=
	    RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "name_en")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->name_en)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "name_zh")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->name_zh)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "max_grade")) != RM_OK)
		return rv;
	return rm_cbor_put_cstr(b, grade_name(a->max_grade));
}

/* ---------------- decoder ---------------- */

/* Text at rd into a fixed buffer of cap bytes (NUL included). */
static int
rd_text_into(rm_cbor_rd *rd, char *out, size_t cap, const char *field,
    rm_why *why)
{
	const char *p;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_text(rd, &p, &n)) != RM_OK)
		return rm_fail(why, rv, "agency.%s: expected text", field);
	if (n >= cap)
		return rm_fail(why, RM_ETOOBIG, "agency.%s: %zu bytes, at most "
		    "%zu", field, n, cap - 1);
	memcpy(out, p, n);
	out[n] = '\0';
	return RM_OK;
}

static int
rd_text_dup(rm_cbor_rd *rd, char **out, const char *field, rm_why *why)
{
	const char *p;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_text(rd, &p, &n)) != RM_OK)
		return rm_fail(why, rv, "agency.%s: expected text", field);
	if (n > RM_AGENCY_TEXT_MAX)
		return rm_fail(why, RM_ETOOBIG, "agency.%s: %zu bytes, at most "
		    "%d", field, n, RM_AGENCY_TEXT_MAX);
	if ((*out = strndup(p, n)) == NULL)
		return rm_fail(why, RM_ENOMEM, "agency.%s", field);
	return RM_OK;
}

static int
rd_spki(rm_cbor_rd *rd, uint8_t *out, size_t *len, const char *field,
    rm_why *why)
{
	const uint8_t *p;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_bytes(rd, &p, &n)) != RM_OK)
		return rm_fail(why, rv, "agency.%s: expected bytes", field);
	if (n == 0 || n > RM_SPKI_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.%s: %zu bytes, want "
		    "a DER public key of 1..%d", field, n, RM_SPKI_MAX);
	memcpy(out, p, n);
	*len = n;
	return RM_OK;
}

static int
rd_time(rm_cbor_rd *rd, rm_utc_ms *out, const char *field, rm_why *why)
{
	uint64_t v;
	int rv;

	if ((rv = rm_cbor_rd_uint(rd, &v)) != RM_OK)
		return rm_fail(why, rv, "agency.%s: expected uint (UTC ms)",
		    field);
	if (v > (uint64_t)INT64_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.%s: out of range",
		    field);
	*out = (rm_utc_ms)v;
	return RM_OK;
}

/* Index of key k in names[0..n) (the map's keys in canonical order), or
 * -1. */
static int
key_index(const char *k, size_t klen, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (rm_cbor_key_is(k, klen, names[i]))
			return i;
	return -1;
}

static int
decode_key(rm_cbor_rd *rd, struct rm_agency_key *k, size_t at, rm_why *why)
{
	static const char *const names[] = { "end", "key", "from", "until",
		"last_seq" };
	char field[32], end[16];
	rm_cbor_keys ks;
	const char *kn;
	size_t npairs, klen;
	unsigned seen = 0;
	int rv, i;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "agency.keys[%zu]: expected a map", at);
	if (npairs < 2 || npairs > 5)
		return rm_fail(why, RM_EBADVALUE, "agency.keys[%zu]: 2..5 "
		    "fields, got %zu", at, npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &kn, &klen)) != RM_OK)
			return rm_fail(why, rv, "agency.keys[%zu]: bad key", at);
		if ((i = key_index(kn, klen, names, 5)) < 0)
			return rm_fail(why, RM_EUNKNOWN, "agency.keys[%zu]: "
			    "unknown field \"%.*s\"", at, (int)(klen > 32 ? 32 :
			    klen), kn);
		seen |= 1u << i;
		snprintf(field, sizeof(field), "keys[%zu].%s", at, names[i]);
		switch (i) {
		case 0:
			if ((rv = rd_text_into(rd, end, sizeof(end), field,
			    why)) != RM_OK)
				return rv;
			for (k->end = RM_KEY_ROTATED; k->end <= RM_KEY_REMOVED;
			    k->end++)
				if (strcmp(end, key_end_name(k->end)) == 0)
					break;
			if (k->end > RM_KEY_REMOVED)
				return rm_fail(why, RM_EBADVALUE, "agency.%s: "
				    "\"%s\" (rotated|revoked|removed)", field,
				    end);
			break;
		case 1:
			rv = rd_spki(rd, k->spki, &k->spki_len, field, why);
			break;
		case 2:
			rv = rd_time(rd, &k->from, field, why);
			break;
		case 3:
			rv = rd_time(rd, &k->until, field, why);
			break;
		default:
			if ((rv = rm_cbor_rd_uint(rd, &k->last_seq)) != RM_OK)
				rv = rm_fail(why, rv, "agency.%s: expected uint",
				    field);
			break;
		}
		if (rv != RM_OK)
			return rv;
	}
	if ((seen & 0x6u) != 0x6u)
		return rm_fail(why, RM_EMISSING, "agency.keys[%zu]: \"key\" and "
		    "\"from\" are required", at);
	return RM_OK;
}

static int
decode_areas(rm_cbor_rd *rd, struct rm_agency *a, rm_why *why)
{
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "agency.areas: expected an array");
	if (n == 0 || n > RM_AGENCY_AREAS_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.areas: 1..%d codes, "
		    "got %zu", RM_AGENCY_AREAS_MAX, n);
	for (size_t i = 0; i < n; i++)
		if ((rv = rd_text_into(rd, a->areas[i], sizeof(a->areas[i]),
		    "areas", why)) != RM_OK)
			return rv;
	a->n_areas = n;
	return RM_OK;
}

static int
decode_kinds(rm_cbor_rd *rd, struct rm_agency *a, rm_why *why)
{
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "agency.kinds: expected an array");
	if (n == 0 || n > RM_KINDS_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.kinds: 1..%d names, "
		    "got %zu", RM_KINDS_MAX, n);
	for (size_t i = 0; i < n; i++)
		if ((rv = rd_text_into(rd, a->kinds[i], sizeof(a->kinds[i]),
		    "kinds", why)) != RM_OK)
			return rv;
	a->n_kinds = n;
	return RM_OK;
}

static int
agency_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	static const char *const names[] = { "id", "enc", "keys", "role",
		"areas", "kinds", "status", "name_en", "name_zh",
		"max_grade" };
	struct rm_agency *a = body;
	char status[16], grade[16];
	rm_cbor_keys ks;
	const char *k;
	size_t npairs, klen, n;
	unsigned seen = 0;
	int rv = RM_OK, i;

	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "agency: expected a map");
	if (npairs < 9 || npairs > 10)
		return rm_fail(why, RM_EMISSING, "agency: 9 or 10 fields, got "
		    "%zu", npairs);
	rm_cbor_keys_init(&ks);
	for (size_t p = 0; p < npairs; p++) {
		if ((rv = rm_cbor_rd_key(rd, &ks, &k, &klen)) != RM_OK)
			return rm_fail(why, rv, "agency: bad key");
		if ((i = key_index(k, klen, names, 10)) < 0)
			return rm_fail(why, RM_EUNKNOWN, "agency: unknown field "
			    "\"%.*s\"", (int)(klen > 32 ? 32 : klen), k);
		seen |= 1u << i;
		switch (i) {
		case 0:
			rv = rd_text_into(rd, a->id, sizeof(a->id), "id", why);
			break;
		case 1:
			rv = rd_spki(rd, a->enc, &a->enc_len, "enc", why);
			break;
		case 2:
			if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
				return rm_fail(why, rv, "agency.keys: expected "
				    "an array");
			if (n == 0 || n > RM_AGENCY_KEYS_MAX)
				return rm_fail(why, RM_EBADVALUE, "agency.keys: "
				    "1..%d keys, got %zu", RM_AGENCY_KEYS_MAX, n);
			for (size_t j = 0; j < n && rv == RM_OK; j++)
				rv = decode_key(rd, &a->keys[j], j, why);
			a->n_keys = n;
			break;
		case 3:
			rv = rd_text_into(rd, a->role, sizeof(a->role), "role",
			    why);
			break;
		case 4:
			rv = decode_areas(rd, a, why);
			break;
		case 5:
			rv = decode_kinds(rd, a, why);
			break;
		case 6:
			if ((rv = rd_text_into(rd, status, sizeof(status),
			    "status", why)) != RM_OK)
				return rv;
			if (strcmp(status, "removed") == 0)
				a->removed = true;
			else if (strcmp(status, "active") != 0)
				return rm_fail(why, RM_EBADVALUE, "agency.status: "
				    "\"%s\" (active|removed)", status);
			break;
		case 7:
			rv = rd_text_dup(rd, &a->name_en, "name_en", why);
			break;
		case 8:
			rv = rd_text_dup(rd, &a->name_zh, "name_zh", why);
			break;
		default:
			if ((rv = rd_text_into(rd, grade, sizeof(grade),
			    "max_grade", why)) != RM_OK)
				return rv;
			if (grade_parse(grade, &a->max_grade) != RM_OK)
				return rm_fail(why, RM_EBADVALUE, "agency.max_grade: "
				    "\"%s\" (blue|yellow|orange|red)", grade);
			break;
		}
		if (rv != RM_OK)
			return rv;
	}
	if ((seen | 0x2u) != 0x3ffu)
		return rm_fail(why, RM_EMISSING, "agency: id, keys, role, areas, "
		    "kinds, status, name_en, name_zh and max_grade are "
		    "required");
	return RM_OK;
}

/* ---------------- rules ---------------- */

static int
check_name(const char *s, const char *field, rm_why *why)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > RM_AGENCY_TEXT_MAX || !rm_utf8_valid(s, n))
		return rm_fail(why, RM_EBADVALUE, "agency.%s: 1..%d bytes of "
		    "UTF-8", field, RM_AGENCY_TEXT_MAX);
	return RM_OK;
}

static int
check_keys(const struct rm_agency *a, rm_why *why)
{
	size_t open = 0;

	if (a->n_keys == 0 || a->n_keys > RM_AGENCY_KEYS_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.keys: 1..%d keys",
		    RM_AGENCY_KEYS_MAX);
	for (size_t i = 0; i < a->n_keys; i++) {
		const struct rm_agency_key *k = &a->keys[i];

		if (k->spki_len == 0 || k->spki_len > RM_SPKI_MAX)
			return rm_fail(why, RM_EBADVALUE, "agency.keys[%zu].key: "
			    "missing", i);
		if (k->from < 0 || k->until < 0)
			return rm_fail(why, RM_EBADVALUE, "agency.keys[%zu]: "
			    "negative time", i);
		if ((k->until != 0) != (k->end != RM_KEY_OPEN) ||
		    key_end_name(k->end) == NULL)
			return rm_fail(why, RM_EBADVALUE, "agency.keys[%zu]: "
			    "\"until\" and \"end\" come together", i);
		if (k->until != 0 && k->until <= k->from)
			return rm_fail(why, RM_EBADVALUE, "agency.keys[%zu]: "
			    "until %lld not after from %lld", i,
			    (long long)k->until, (long long)k->from);
		if (k->until == 0)
			open++;
		for (size_t j = 0; j < i; j++)
			if (a->keys[j].spki_len == k->spki_len &&
			    memcmp(a->keys[j].spki, k->spki, k->spki_len) == 0)
				return rm_fail(why, RM_EBADVALUE, "agency.keys"
				    "[%zu]: the same key as keys[%zu]", i, j);
	}
	if (open > 1)
		return rm_fail(why, RM_EBADVALUE, "agency.keys: %zu keys in use; "
		    "at most one key has no \"until\"", open);
	if (a->removed && open != 0)
		return rm_fail(why, RM_EBADVALUE, "agency.keys: a removed agency "
		    "has no key in use");
	return RM_OK;
}

static int
agency_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_agency *a = rec->body;
	size_t i;
	int rv;

	if (!agency_id_valid(a->id))
		return rm_fail(why, RM_EBADVALUE, "agency.id: \"%.64s\" is not "
		    "an agency id (%s)", a->id, RM_AGENCY_ID_RULE);
	if (strcmp(a->id, rec->object_id) != 0)
		return rm_fail(why, RM_EBADVALUE, "agency.id: \"%s\" is not the "
		    "record's oid \"%s\"", a->id, rec->object_id);
	if ((rv = check_name(a->name_zh, "name_zh", why)) != RM_OK ||
	    (rv = check_name(a->name_en, "name_en", why)) != RM_OK)
		return rv;
	for (i = 0; i < sizeof(agency_roles) / sizeof(agency_roles[0]); i++)
		if (strcmp(a->role, agency_roles[i]) == 0)
			break;
	if (i == sizeof(agency_roles) / sizeof(agency_roles[0]))
		return rm_fail(why, RM_EBADVALUE, "agency.role: \"%s\" "
		    "(centre|department|district)", a->role);
	if (a->n_areas == 0 || a->n_areas > RM_AGENCY_AREAS_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.areas: 1..%d codes",
		    RM_AGENCY_AREAS_MAX);
	/* The record's areas are the agency's: what the registrar's own
	 * areas are checked against (roster_authorise). */
	if (a->n_areas != rec->n_areas)
		return rm_fail(why, RM_EBADVALUE, "agency.areas: %zu codes, the "
		    "record has %zu", a->n_areas, rec->n_areas);
	for (i = 0; i < a->n_areas; i++) {
		if (!area_code_valid(a->areas[i]))
			return rm_fail(why, RM_EBADVALUE, "agency.areas[%zu]: "
			    "\"%s\" is not a GB/T 2260 code", i, a->areas[i]);
		if (strcmp(a->areas[i], rec->areas[i]) != 0)
			return rm_fail(why, RM_EBADVALUE, "agency.areas[%zu]: %s "
			    "is not the record's %s", i, a->areas[i],
			    rec->areas[i]);
	}
	if (a->n_kinds == 0 || a->n_kinds > RM_KINDS_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.kinds: 1..%d names",
		    RM_KINDS_MAX);
	for (i = 0; i < a->n_kinds; i++) {
		size_t n = strlen(a->kinds[i]);

		if (n == 0 || n > RM_KIND_NAME_MAX ||
		    strspn(a->kinds[i], "abcdefghijklmnopqrstuvwxyz") != n)
			return rm_fail(why, RM_EBADVALUE, "agency.kinds[%zu]: "
			    "1..%d of [a-z]", i, RM_KIND_NAME_MAX);
		if (i > 0 && strcmp(a->kinds[i - 1], a->kinds[i]) >= 0)
			return rm_fail(why, RM_EBADVALUE, "agency.kinds: not "
			    "sorted or repeated at [%zu]", i);
		/* Registrars are named by the root alone (the charter). */
		if (strcmp(a->kinds[i], rm_kind_agency.name) == 0)
			return rm_fail(why, RM_EBADVALUE, "agency.kinds: only the "
			    "federation root names registrars (kind \"%s\")",
			    rm_kind_agency.name);
	}
	if (grade_name(a->max_grade) == NULL || a->max_grade < RM_GRADE_BLUE ||
	    a->max_grade > RM_GRADE_RED)
		return rm_fail(why, RM_EBADVALUE, "agency.max_grade: out of "
		    "range");
	if (a->enc_len > RM_SPKI_MAX)
		return rm_fail(why, RM_EBADVALUE, "agency.enc: too long");
	return check_keys(a, why);
}

static void
agency_fini(void *body)
{
	struct rm_agency *a = body;

	free(a->name_zh);
	free(a->name_en);
	a->name_zh = a->name_en = NULL;
}

/* Every version is in force: a removed agency keeps its key history,
 * which is what its earlier records are checked against. */
static bool
agency_in_force(const struct rm_record *rec)
{
	(void)rec;
	return true;
}

static int
agency_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_agency *a = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];

	snprintf(key, sizeof(key), "id=%.61s", a->id);
	return emit(arg, key);
}

static void
agency_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_agency *a = rec->body;
	size_t open = 0;

	for (size_t i = 0; i < a->n_keys; i++)
		open += a->keys[i].until == 0;
	snprintf(out, len, "agency %s %s (%s), %zu key%s%s", a->id,
	    a->removed ? "removed" : "active", a->role, a->n_keys,
	    a->n_keys == 1 ? "" : "s", open ? "" : ", none in use");
}

const struct rm_kind_ops rm_kind_agency = {
	.name = "agency",
	.cddl = "agency.cddl",
	.body_size = sizeof(struct rm_agency),
	.encode = agency_encode,
	.decode = agency_decode,
	.validate = agency_validate,
	.fini = agency_fini,
	.in_force = agency_in_force,
	.index_keys = agency_index_keys,
	.summary = agency_summary,
};
