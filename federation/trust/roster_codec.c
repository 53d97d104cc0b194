/*
 * roster_codec.c -- the signed roster: deterministic CBOR body inside a
 * COSE_Sign1 made with the federation root key (docs/PROTOCOL.md §Roster).
 *
 *   { "v": 1, "issued": ms, "version": uint,
 *     "agencies": [ { "id", ? "enc", "key", "role", "areas", "kinds",
 *                     "name_en", "name_zh", "max_grade" } ... sorted by
 *                   id ],
 *     "federation": text }
 *
 * Keys appear in RFC 8949 §4.2.1 order (shorter first, then bytewise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/trust/trust_int.h"

/* ---------------- encoder ---------------- */

static int
put_agency(rm_buf *b, const struct roster_agency *a)
{
	rm_buf spki = RM_BUF_INIT;
	const char *names[RM_KINDS_MAX];
	size_t nk = kind_set_names(a->kinds, names, RM_KINDS_MAX);
	int rv;

	if ((rv = rm_cbor_put_map(b, a->enc_key != NULL ? 9 : 8)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "id")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->id)) != RM_OK)
		goto fail;
	/* optional "enc" sorts between "id" and "key" (RFC 8949 §4.2.1) */
	if (a->enc_key != NULL &&
	    ((rv = crypto_key_spki(a->enc_key, &spki)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "enc")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, spki.data, spki.len)) != RM_OK))
		goto fail;
	rm_buf_reset(&spki);
	if ((rv = crypto_key_spki(a->key, &spki)) != RM_OK)
		goto fail;
	if ((rv = rm_cbor_put_cstr(b, "key")) != RM_OK ||
	    (rv = rm_cbor_put_bytes(b, spki.data, spki.len)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "role")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->role)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "areas")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, a->n_areas)) != RM_OK)
		goto fail;
	for (size_t i = 0; i < a->n_areas; i++)
		if ((rv = rm_cbor_put_cstr(b, a->areas[i])) != RM_OK)
			goto fail;
	if ((rv = rm_cbor_put_cstr(b, "kinds")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, nk)) != RM_OK)
		goto fail;
	for (size_t k = 0; k < nk && k < RM_KINDS_MAX; k++)
		if ((rv = rm_cbor_put_cstr(b, names[k])) != RM_OK)
			goto fail;
	if ((rv = rm_cbor_put_cstr(b, "name_en")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->name_en)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "name_zh")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, a->name_zh)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "max_grade")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, grade_name(a->max_grade))) != RM_OK)
		goto fail;
fail:
	rm_buf_fini(&spki);
	return rv;
}

static int
roster_encode(const struct roster *r, rm_buf *b, rm_why *why)
{
	size_t charter = 0;
	int rv;

	for (size_t i = 0; i < r->n; i++)
		charter += r->agencies[i]->a.registrar[0] == '\0';
	if (charter > ROSTER_CHARTER_MAX)
		return rm_fail(why, RM_ETOOBIG, "roster: %zu agencies in the "
		    "charter, at most %d (the others are agency records)",
		    charter, ROSTER_CHARTER_MAX);
	if (r->issued_ms < 0)
		return rm_fail(why, RM_EBADVALUE, "roster.issued: negative");
	if ((rv = rm_cbor_put_map(b, 5)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "v")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, ROSTER_FORMAT_VERSION)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "issued")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, (uint64_t)r->issued_ms)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "version")) != RM_OK ||
	    (rv = rm_cbor_put_uint(b, r->version)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, "agencies")) != RM_OK ||
	    (rv = rm_cbor_put_array(b, charter)) != RM_OK)
		return rm_fail(why, rv, "roster: encode: %s", rm_strerror(rv));
	for (size_t i = 0; i < r->n; i++) {
		const struct roster_agency *a = &r->agencies[i]->a;

		if (a->registrar[0] != '\0')
			continue;               /* from an agency record */
		if ((rv = roster_agency_check(a, why)) != RM_OK)
			return rv;
		if ((rv = put_agency(b, a)) != RM_OK)
			return rm_fail(why, rv, "roster agency %s: encode: %s",
			    a->id, rm_strerror(rv));
	}
	if ((rv = rm_cbor_put_cstr(b, "federation")) != RM_OK ||
	    (rv = rm_cbor_put_cstr(b, r->federation)) != RM_OK)
		return rm_fail(why, rv, "roster: encode: %s", rm_strerror(rv));
	return RM_OK;
}

int
roster_sign(const struct roster *r, crypto_signer *root, rm_buf *out,
    rm_why *why)
{
	rm_buf body = RM_BUF_INIT;
	size_t old = out->len;
	int rv;

	if ((rv = roster_encode(r, &body, why)) != RM_OK)
		goto fail;
	if ((rv = cose_sign1_sign(root, body.data, body.len, out, why)) !=
	    RM_OK)
		goto fail;
	if (out->len - old > ROSTER_MAX_BYTES) {
		out->len = old;
		rv = rm_fail(why, RM_ETOOBIG, "roster: signed size over %d "
		    "bytes", ROSTER_MAX_BYTES);
	}
fail:
	rm_buf_fini(&body);
	return rv;
}

/* ---------------- decoder ---------------- */

/* Read a text field into a fixed array (cap includes the NUL). */
static int
rd_text_into(rm_cbor_rd *rd, char *dst, size_t cap, const char *what,
    rm_why *why)
{
	const char *s;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_text(rd, &s, &n)) != RM_OK)
		return rm_fail(why, rv, "%s: expected UTF-8 text", what);
	if (n >= cap)
		return rm_fail(why, RM_ETOOBIG, "%s: longer than %zu bytes",
		    what, cap - 1);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return RM_OK;
}

/* A P-256 SPKI bstr (field "key" or "enc") into *out. */
static int
rd_key_entry(rm_cbor_rd *rd, struct roster_agency *a, const char *field,
    crypto_key **out, rm_why *why)
{
	const uint8_t *der;
	size_t n;
	rm_buf again = RM_BUF_INIT;
	crypto_key *k = NULL;
	int rv;

	if ((rv = rm_cbor_rd_bytes(rd, &der, &n)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: %s: expected bstr",
		    a->id, field);
	if (n == 0 || n > CRYPTO_SPKI_MAX)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: %s: "
		    "%zu bytes is not a P-256 SPKI", a->id, field, n);
	if ((rv = crypto_key_from_spki(der, n, &k, why)) != RM_OK)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: %s: %s",
		    a->id, field, rm_strerror(rv));
	/* Only the canonical DER form is accepted. */
	if ((rv = crypto_key_spki(k, &again)) != RM_OK || again.len != n ||
	    memcmp(again.data, der, n) != 0) {
		rm_buf_fini(&again);
		crypto_key_free(k);
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: %s: "
		    "not canonical DER SubjectPublicKeyInfo", a->id, field);
	}
	rm_buf_fini(&again);
	*out = k;
	return RM_OK;
}

static int
rd_areas(rm_cbor_rd *rd, struct roster_agency *a, rm_why *why)
{
	char what[160];
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: areas: expected "
		    "array", a->id);
	if (n == 0 || n > ROSTER_AREAS_MAX)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: areas: "
		    "needs 1..%d codes, has %zu", a->id, ROSTER_AREAS_MAX, n);
	for (size_t i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "roster agency %s: areas[%zu]",
		    a->id, i);
		if ((rv = rd_text_into(rd, a->areas[i], sizeof(a->areas[i]),
		    what, why)) != RM_OK)
			return rv == RM_ETOOBIG ? rm_fail(why, RM_EBADVALUE,
			    "%s: not a GB/T 2260 code", what) : rv;
	}
	a->n_areas = n;
	return RM_OK;
}

static int
rd_kinds(rm_cbor_rd *rd, struct roster_agency *a, rm_why *why)
{
	const struct rm_kind_ops *k;
	const char *s, *prev = NULL;
	char name[RM_KIND_NAME_MAX + 1];
	size_t n, len;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: kinds: expected "
		    "array", a->id);
	if (n == 0 || n > RM_KINDS_MAX)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: kinds: "
		    "needs 1..%d entries", a->id, RM_KINDS_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((rv = rm_cbor_rd_text(rd, &s, &len)) != RM_OK)
			return rm_fail(why, rv, "roster agency %s: kinds[%zu]: "
			    "expected text", a->id, i);
		if (len >= sizeof(name))
			return rm_fail(why, RM_EBADVALUE, "roster agency %s: "
			    "kinds[%zu]: unknown kind", a->id, i);
		memcpy(name, s, len);
		name[len] = '\0';
		if ((k = kind_find(name, len)) == NULL)
			return rm_fail(why, RM_EBADVALUE, "roster agency %s: "
			    "kinds[%zu]: unknown kind \"%s\"", a->id, i, name);
		/* sorted bytewise and unique, as kind_set_names() writes */
		if (prev != NULL && strcmp(prev, k->name) >= 0)
			return rm_fail(why, RM_ENONCANON, "roster agency %s: "
			    "kinds: not in ascending order or repeated",
			    a->id);
		prev = k->name;
		a->kinds |= (rm_kind_set)1u << kind_index(k);
	}
	return RM_OK;
}

enum {
	AG_ID = 1 << 0, AG_KEY = 1 << 1, AG_ROLE = 1 << 2, AG_AREAS = 1 << 3,
	AG_KINDS = 1 << 4, AG_NAME_EN = 1 << 5, AG_NAME_ZH = 1 << 6,
	AG_MAX_GRADE = 1 << 7, AG_ALL = (1 << 8) - 1,
};

static int
rd_agency(rm_cbor_rd *rd, size_t idx, struct roster_agency *a, rm_why *why)
{
	rm_cbor_keys keys;
	const char *key;
	char grade[16], what[160];
	size_t npairs, klen;
	unsigned seen = 0;
	int rv;

	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "#%zu", idx);
	if ((rv = rm_cbor_rd_map(rd, &npairs)) != RM_OK)
		return rm_fail(why, rv, "roster agencies[%zu]: expected map",
		    idx);
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < npairs; i++) {
		if ((rv = rm_cbor_rd_key(rd, &keys, &key, &klen)) != RM_OK) {
			rm_fail(why, rv, "roster agency %s: key %zu: %s", a->id,
			    i, rm_strerror(rv));
			goto fail;
		}
		snprintf(what, sizeof(what), "roster agency %s: %.*s", a->id,
		    (int)(klen > 16 ? 16 : klen), key);
		if (rm_cbor_key_is(key, klen, "id")) {
			rv = rd_text_into(rd, a->id, sizeof(a->id), what, why);
			seen |= AG_ID;
		} else if (rm_cbor_key_is(key, klen, "enc")) {
			crypto_key *ek = NULL;

			rv = rd_key_entry(rd, a, "enc", &ek, why);
			a->enc_key = ek;
			a->has_enc = ek != NULL;
		} else if (rm_cbor_key_is(key, klen, "key")) {
			rv = rd_key_entry(rd, a, "key", &a->key, why);
			seen |= AG_KEY;
		} else if (rm_cbor_key_is(key, klen, "role")) {
			rv = rd_text_into(rd, a->role, sizeof(a->role), what,
			    why);
			if (rv == RM_ETOOBIG)
				rv = rm_fail(why, RM_EBADVALUE, "%s: unknown "
				    "role", what);
			seen |= AG_ROLE;
		} else if (rm_cbor_key_is(key, klen, "areas")) {
			rv = rd_areas(rd, a, why);
			seen |= AG_AREAS;
		} else if (rm_cbor_key_is(key, klen, "kinds")) {
			rv = rd_kinds(rd, a, why);
			seen |= AG_KINDS;
		} else if (rm_cbor_key_is(key, klen, "name_en")) {
			rv = rd_text_into(rd, a->name_en, sizeof(a->name_en),
			    what, why);
			seen |= AG_NAME_EN;
		} else if (rm_cbor_key_is(key, klen, "name_zh")) {
			rv = rd_text_into(rd, a->name_zh, sizeof(a->name_zh),
			    what, why);
			seen |= AG_NAME_ZH;
		} else if (rm_cbor_key_is(key, klen, "max_grade")) {
			rv = rd_text_into(rd, grade, sizeof(grade), what, why);
			if (rv == RM_OK && grade_parse(grade, &a->max_grade) !=
			    RM_OK)
				rv = rm_fail(why, RM_EBADVALUE, "%s: unknown "
				    "grade \"%s\"", what, grade);
			else if (rv == RM_ETOOBIG)
				rv = rm_fail(why, RM_EBADVALUE, "%s: unknown "
				    "grade", what);
			seen |= AG_MAX_GRADE;
		} else {
			rv = rm_fail(why, RM_EUNKNOWN, "roster agency %s: "
			    "unknown field \"%.*s\"", a->id,
			    (int)(klen > 32 ? 32 : klen), key);
		}
		if (rv != RM_OK)
			goto fail;
	}
	if (seen != AG_ALL) {
		static const char *const names[] = { "id", "key", "role",
			"areas", "kinds", "name_en", "name_zh", "max_grade" };
		unsigned b = 0;

		while (seen & (1u << b))
			b++;
		rv = rm_fail(why, RM_EMISSING, "roster agency %s: %s: "
		    "required", a->id, names[b]);
		goto fail;
	}
	if ((rv = roster_agency_check(a, why)) != RM_OK) {
		if (rv != RM_ETOOBIG)
			rv = RM_EBADVALUE;
		goto fail;
	}
	return RM_OK;
fail:
	crypto_key_free(a->key);
	crypto_key_free(a->enc_key);
	a->key = NULL;
	a->enc_key = NULL;
	return rv;
}

static int
rd_agencies(rm_cbor_rd *rd, struct roster *r, rm_why *why)
{
	struct roster_agency a;
	size_t n;
	int rv;

	if ((rv = rm_cbor_rd_array(rd, &n)) != RM_OK)
		return rm_fail(why, rv, "roster.agencies: expected array");
	if (n > ROSTER_CHARTER_MAX)
		return rm_fail(why, RM_ETOOBIG, "roster.agencies: more than "
		    "%d", ROSTER_CHARTER_MAX);
	for (size_t i = 0; i < n; i++) {
		if ((rv = rd_agency(rd, i, &a, why)) != RM_OK)
			return rv;
		if (r->n > 0) {
			int c = strcmp(r->agencies[r->n - 1]->a.id, a.id);

			if (c >= 0) {
				crypto_key_free(a.key);
				crypto_key_free(a.enc_key);
				return c == 0 ? rm_fail(why, RM_EBADVALUE,
				    "roster agency %s: listed twice", a.id) :
				    rm_fail(why, RM_ENONCANON, "roster agency "
				    "%s: not sorted by id", a.id);
			}
		}
		rv = roster_put_agency(r, &a, why);
		crypto_key_free(a.key);
		crypto_key_free(a.enc_key);
		if (rv != RM_OK)
			return rv == RM_ENOMEM ? rv : RM_EBADVALUE;
	}
	return RM_OK;
}

static int
roster_decode(const uint8_t *p, size_t n, struct roster *r, rm_why *why)
{
	rm_cbor_rd rd;
	rm_cbor_keys keys;
	const char *key;
	size_t npairs, klen;
	uint64_t u;
	unsigned seen = 0;
	int rv;

	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rm_cbor_rd_map(&rd, &npairs)) != RM_OK)
		return rm_fail(why, rv == RM_EBADVALUE ? RM_EMALFORMED : rv,
		    "roster: body is not a CBOR map");
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < npairs; i++) {
		if ((rv = rm_cbor_rd_key(&rd, &keys, &key, &klen)) != RM_OK)
			return rm_fail(why, rv, "roster: key %zu: %s", i,
			    rm_strerror(rv));
		if (rm_cbor_key_is(key, klen, "v")) {
			if ((rv = rm_cbor_rd_uint(&rd, &u)) != RM_OK)
				return rm_fail(why, rv, "roster.v: expected "
				    "uint");
			if (u != ROSTER_FORMAT_VERSION)
				return rm_fail(why, RM_EUNKNOWN, "roster.v: "
				    "unknown format version %llu",
				    (unsigned long long)u);
			seen |= 1;
		} else if (rm_cbor_key_is(key, klen, "issued")) {
			if ((rv = rm_cbor_rd_uint(&rd, &u)) != RM_OK ||
			    u > INT64_MAX)
				return rm_fail(why, rv ? rv : RM_EBADVALUE,
				    "roster.issued: expected uint ms");
			r->issued_ms = (rm_utc_ms)u;
			seen |= 2;
		} else if (rm_cbor_key_is(key, klen, "version")) {
			if ((rv = rm_cbor_rd_uint(&rd, &r->version)) != RM_OK)
				return rm_fail(why, rv, "roster.version: "
				    "expected uint");
			seen |= 4;
		} else if (rm_cbor_key_is(key, klen, "agencies")) {
			if ((rv = rd_agencies(&rd, r, why)) != RM_OK)
				return rv;
			seen |= 8;
		} else if (rm_cbor_key_is(key, klen, "federation")) {
			if ((rv = rd_text_into(&rd, r->federation,
			    sizeof(r->federation), "roster.federation",
			    why)) != RM_OK)
				return rv;
			if (r->federation[0] == '\0')
				return rm_fail(why, RM_EBADVALUE,
				    "roster.federation: empty");
			seen |= 16;
		} else {
			return rm_fail(why, RM_EUNKNOWN, "roster: unknown field "
			    "\"%.*s\"", (int)(klen > 32 ? 32 : klen), key);
		}
	}
	if (seen != 31) {
		static const char *const names[] = { "v", "issued", "version",
			"agencies", "federation" };
		unsigned b = 0;

		while (seen & (1u << b))
			b++;
		return rm_fail(why, RM_EMISSING, "roster.%s: required",
		    names[b]);
	}
	if ((rv = rm_cbor_rd_end(&rd)) != RM_OK)
		return rm_fail(why, rv, "roster: trailing bytes after body");
	return RM_OK;
}

int
roster_open(const uint8_t *p, size_t n, const crypto_key *root,
    struct roster **out, rm_why *why)
{
	struct cose_sign1 msg;
	struct roster *r;
	int rv;

	if (n > ROSTER_MAX_BYTES)
		return rm_fail(why, RM_ETOOBIG, "roster: %zu bytes, limit %d",
		    n, ROSTER_MAX_BYTES);
	if ((rv = cose_sign1_decode(p, n, &msg, why)) != RM_OK)
		return rv;
	if ((rv = cose_sign1_verify(root, &msg, why)) != RM_OK)
		return rv == RM_EBADSIG ? rm_fail(why, RM_EBADSIG, "roster: "
		    "not signed by the federation root key") : rv;
	if ((r = roster_alloc()) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	if ((rv = roster_decode(msg.payload, msg.payload_len, r, why)) !=
	    RM_OK) {
		roster_free(r);
		return rv;
	}
	if ((r->signed_bytes = malloc(n)) == NULL) {
		roster_free(r);
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	}
	memcpy(r->signed_bytes, p, n);
	r->signed_len = n;
	if ((rv = roster_index(r, why)) != RM_OK) {
		roster_free(r);
		return rv;
	}
	*out = r;
	return RM_OK;
}

int
roster_load(const char *path, const crypto_key *root, struct roster **out,
    rm_why *why)
{
	rm_buf b = RM_BUF_INIT;
	rm_why w;
	int rv;

	if ((rv = rm_file_read(path, ROSTER_MAX_BYTES, &b, why)) != RM_OK)
		return rv;
	if ((rv = roster_open(b.data, b.len, root, out, &w)) != RM_OK)
		rm_fail(why, rv, "%s: %s", path, w.msg);
	rm_buf_fini(&b);
	return rv;
}
