/*
 * dec_util.c -- typed reads over the strict CBOR reader that turn every
 * failure into an rm_err plus an rm_why naming the field.
 */
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

int
sch_dec_err(rm_why *why, int rv, const char *field)
{
	switch (rv) {
	case RM_ENONCANON:
		return rm_fail(why, rv, "%s: not deterministic CBOR", field);
	case RM_EMALFORMED:
		return rm_fail(why, rv, "%s: malformed or truncated CBOR",
		    field);
	case RM_ETOOBIG:
		return rm_fail(why, rv, "%s: nested too deep", field);
	case RM_EBADVALUE:
		return rm_fail(why, rv, "%s: unsupported CBOR item", field);
	default:
		return rm_fail(why, rv, "%s: %s", field, rm_strerror(rv));
	}
}

/* Check that the next item has type want (or, for integers, either
 * integer type when want_int). Returns a diagnosed error otherwise. */
static int
expect(rm_cbor_rd *rd, rm_cbor_type want, bool want_int, const char *field,
    rm_why *why)
{
	rm_cbor_type t = rm_cbor_rd_peek(rd);

	if (t == want || (want_int && t == RM_CBOR_NEGINT))
		return RM_OK;
	if (t == RM_CBOR_END)
		return rm_fail(why, RM_EMALFORMED, "%s: truncated", field);
	if (t == RM_CBOR_OTHER) {
		/* Let the reader say why: non-canonical, malformed, float. */
		uint64_t u;
		int rv = rm_cbor_rd_uint(rd, &u);
		if (rv == RM_OK)	/* cannot happen: peek said other */
			rv = RM_EMALFORMED;
		if (rv == RM_EBADVALUE)
			return rm_fail(why, rv, "%s: expected %s, got "
			    "float or simple value", field, rm_cbor_type_name(want));
		return sch_dec_err(why, rv, field);
	}
	return rm_fail(why, RM_EBADVALUE, "%s: expected %s, got %s", field,
	    want_int ? "integer" : rm_cbor_type_name(want), rm_cbor_type_name(t));
}

int
sch_dec_text(rm_cbor_rd *rd, const char *field, size_t max, const char **p,
    size_t *n, rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_TEXT, false, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_text(rd, p, n)) != RM_OK) {
		if (rv == RM_EBADVALUE)
			return rm_fail(why, rv, "%s: invalid UTF-8 or NUL",
			    field);
		return sch_dec_err(why, rv, field);
	}
	if (*n > max)
		return rm_fail(why, RM_ETOOBIG, "%s: %zu bytes, limit %zu",
		    field, *n, max);
	return RM_OK;
}

int
sch_dec_strdup(rm_cbor_rd *rd, const char *field, size_t max, char **out,
    rm_why *why)
{
	const char *p;
	size_t n;
	char *s;
	int rv;

	if ((rv = sch_dec_text(rd, field, max, &p, &n, why)) != RM_OK)
		return rv;
	if ((s = malloc(n + 1)) == NULL)
		return rm_fail(why, RM_ENOMEM, "%s: out of memory", field);
	memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	return RM_OK;
}

int
sch_dec_uint(rm_cbor_rd *rd, const char *field, uint64_t *out, rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_UINT, false, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_uint(rd, out)) != RM_OK)
		return sch_dec_err(why, rv, field);
	return RM_OK;
}

int
sch_dec_int(rm_cbor_rd *rd, const char *field, int64_t *out, rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_UINT, true, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_int(rd, out)) != RM_OK) {
		if (rv == RM_EBADVALUE)
			return rm_fail(why, rv, "%s: integer out of range",
			    field);
		return sch_dec_err(why, rv, field);
	}
	return RM_OK;
}

int
sch_dec_bytes(rm_cbor_rd *rd, const char *field, const uint8_t **p, size_t *n,
    rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_BYTES, false, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_bytes(rd, p, n)) != RM_OK)
		return sch_dec_err(why, rv, field);
	return RM_OK;
}

int
sch_dec_array(rm_cbor_rd *rd, const char *field, size_t *n, rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_ARRAY, false, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_array(rd, n)) != RM_OK)
		return sch_dec_err(why, rv, field);
	return RM_OK;
}

int
sch_dec_map(rm_cbor_rd *rd, const char *field, size_t *n, rm_why *why)
{
	int rv;

	if ((rv = expect(rd, RM_CBOR_MAP, false, field, why)) != RM_OK)
		return rv;
	if ((rv = rm_cbor_rd_map(rd, n)) != RM_OK)
		return sch_dec_err(why, rv, field);
	return RM_OK;
}

int
sch_dec_key(rm_cbor_rd *rd, rm_cbor_keys *k, const char *map,
    const char *const *table, int ntable, int *idx, rm_why *why)
{
	char q[160];
	const char *key;
	size_t len;
	int rv, i;

	if ((rv = expect(rd, RM_CBOR_TEXT, false, map, why)) != RM_OK) {
		if (rv == RM_EBADVALUE)
			return rm_fail(why, rv, "%s: map keys must be text",
			    map);
		return rv;
	}
	if ((rv = rm_cbor_rd_key(rd, k, &key, &len)) != RM_OK) {
		if (rv == RM_ENONCANON)
			return rm_fail(why, rv, "%s: keys out of canonical "
			    "order or duplicated", map);
		if (rv == RM_EBADVALUE)
			return rm_fail(why, rv, "%s: key is not valid UTF-8",
			    map);
		return sch_dec_err(why, rv, map);
	}
	if ((i = schemas_key_find(table, ntable, key, len)) < 0) {
		schemas_quote(key, len, q);
		return rm_fail(why, RM_EUNKNOWN, "%s: unknown key %s", map, q);
	}
	*idx = i;
	return RM_OK;
}

int
sch_dec_fixed(rm_cbor_rd *rd, const char *field, char *out, size_t cap,
    rm_why *why)
{
	const char *p;
	size_t n;
	int rv;

	if ((rv = sch_dec_text(rd, field, cap - 1, &p, &n, why)) != RM_OK)
		return rv;
	memcpy(out, p, n);
	out[n] = '\0';
	return RM_OK;
}

int
sch_dec_enum(rm_cbor_rd *rd, const char *field, const char *const *t,
    size_t n, const char *choices, int *out, rm_why *why)
{
	char s[32];
	int rv, v;

	if ((rv = sch_dec_fixed(rd, field, s, sizeof(s), why)) != RM_OK)
		return rv;
	if ((v = sch_enum_find(t, n, s)) == 0)
		return choices != NULL ?
		    rm_fail(why, RM_EBADVALUE, "%s: \"%s\" (%s)", field, s,
		    choices) :
		    rm_fail(why, RM_EBADVALUE, "%s: unknown value \"%s\"",
		    field, s);
	*out = v;
	return RM_OK;
}

int
sch_decfrac_put(rm_buf *b, int64_t e, int64_t m)
{
	int rv;

	if ((rv = rm_cbor_put_tag(b, 4)) != RM_OK ||
	    (rv = rm_cbor_put_array(b, 2)) != RM_OK ||
	    (rv = rm_cbor_put_int(b, e)) != RM_OK)
		return rv;
	return rm_cbor_put_int(b, m);
}

int
sch_decfrac_read(rm_cbor_rd *rd, const char *field, int64_t *e, int64_t *m,
    rm_why *why)
{
	uint64_t tag;
	size_t n;
	int rv;

	if (rm_cbor_rd_peek(rd) != RM_CBOR_TAG)
		return rm_fail(why, RM_EBADVALUE, "%s: a decimal fraction (tag "
		    "4) is required", field);
	if ((rv = rm_cbor_rd_tag(rd, &tag)) != RM_OK)
		return sch_dec_err(why, rv, field);
	if (tag != 4)
		return rm_fail(why, RM_EBADVALUE, "%s: tag %llu, want a "
		    "decimal fraction (tag 4)", field, (unsigned long long)tag);
	if ((rv = sch_dec_array(rd, field, &n, why)) != RM_OK)
		return rv;
	if (n != 2)
		return rm_fail(why, RM_EBADVALUE, "%s: a decimal fraction is "
		    "[exponent, mantissa]", field);
	if ((rv = sch_dec_int(rd, field, e, why)) != RM_OK)
		return rv;
	return sch_dec_int(rd, field, m, why);
}
