/*
 * restricted.c -- the record-model side of restricted records
 * (docs/PROTOCOL.md §6a): recipients, the body as plaintext, and the
 * external AAD that binds a COSE_Encrypt to its record. The encryption
 * itself is crypto/ (cose_encrypt_seal/open), glued in federation/trust.
 */
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas_int.h"

#define RESTRICTED_AAD_LABEL "riskmesh restricted v1"

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

int
record_set_to(struct rm_record *rec, const char *const *ids, size_t n,
    rm_why *why)
{
	char (*to)[RM_AGENCY_ID_MAX + 1];

	if (rec == NULL || ids == NULL || n == 0)
		return rm_fail(why, RM_EINVAL, "to: no recipients");
	if (n > RM_RECORD_TO_MAX)
		return rm_fail(why, RM_ETOOBIG, "to: %zu recipients, limit %d",
		    n, RM_RECORD_TO_MAX);
	for (size_t i = 0; i < n; i++)
		if (!agency_id_valid(ids[i]))
			return rm_fail_at(why, RM_EBADVALUE, "to", "to[%zu]: "
			    "\"%.64s\" is not an agency id (%s)", i,
			    ids[i] != NULL ? ids[i] : "", RM_AGENCY_ID_RULE);
	if ((to = calloc(n, sizeof(*to))) == NULL)
		return rm_fail(why, RM_ENOMEM, "to: out of memory");
	for (size_t i = 0; i < n; i++)
		memcpy(to[i], ids[i], strlen(ids[i]) + 1);
	qsort(to, n, sizeof(*to), cmp_id);
	for (size_t i = 1; i < n; i++) {
		if (strcmp(to[i - 1], to[i]) == 0) {
			rm_fail_at(why, RM_EBADVALUE, "to", "to: %s named "
			    "twice", to[i]);
			free(to);
			return RM_EBADVALUE;
		}
	}
	free(rec->to);
	rec->to = to;
	rec->n_to = n;
	return RM_OK;
}

int
record_body_encode(const struct rm_record *rec, rm_buf *out, rm_why *why)
{
	size_t old;
	int rv;

	if (rec == NULL || rec->kind == NULL || out == NULL)
		return rm_fail(why, RM_EINVAL, "record: no record or output");
	if (rec->body == NULL)
		return rm_fail(why, RM_EMISSING, "body: required");
	if ((rv = rec->kind->validate(rec, why)) != RM_OK)
		return rv;
	old = out->len;
	if ((rv = rec->kind->encode(rec->body, out)) != RM_OK) {
		out->len = old;
		return rm_fail(why, rv, "%s: encode: %s", rec->kind->name,
		    rm_strerror(rv));
	}
	return RM_OK;
}

void
record_body_free(struct rm_record *rec)
{
	if (rec == NULL || rec->body == NULL)
		return;
	if (rec->kind != NULL)
		rec->kind->fini(rec->body);
	free(rec->body);
	rec->body = NULL;
}

int
record_body_decode(struct rm_record *rec, const uint8_t *p, size_t n,
    rm_why *why)
{
	rm_buf re = RM_BUF_INIT;
	rm_cbor_rd rd;
	void *body;
	int rv;

	if (rec == NULL || rec->kind == NULL || (p == NULL && n > 0))
		return rm_fail(why, RM_EINVAL, "body: no record or input");
	if (rec->body != NULL)
		return rm_fail(why, RM_EEXIST, "body: already decoded");
	if (n > RM_RECORD_BODY_MAX)
		return rm_fail(why, RM_ETOOBIG, "body: %zu bytes, limit %d", n,
		    RM_RECORD_BODY_MAX);
	if ((body = calloc(1, rec->kind->body_size)) == NULL)
		return rm_fail(why, RM_ENOMEM, "body: out of memory");
	rm_cbor_rd_init(&rd, p, n);
	if ((rv = rec->kind->decode(&rd, body, why)) != RM_OK)
		goto fail;
	if (rm_cbor_rd_end(&rd) != RM_OK) {
		rv = rm_fail(why, RM_EMALFORMED, "%s: trailing bytes",
		    rec->kind->name);
		goto fail;
	}
	rec->body = body;
	/* validates, then must reproduce the plaintext exactly */
	re.limit = RM_RECORD_BODY_MAX + 1;
	if ((rv = record_body_encode(rec, &re, why)) != RM_OK)
		goto fail;
	if (re.len != n || memcmp(re.data, p, n) != 0) {
		rv = rm_fail(why, RM_ENONCANON, "body: not in canonical form "
		    "(re-encoding differs)");
		goto fail;
	}
	rm_buf_fini(&re);
	return RM_OK;
fail:
	rm_buf_fini(&re);
	rec->body = NULL;
	rec->kind->fini(body);
	free(body);
	return rv;
}

int
record_restricted_aad(const struct rm_record *rec, rm_buf *out, rm_why *why)
{
	size_t old;
	int rv;

	if (rec == NULL || rec->kind == NULL || out == NULL ||
	    rec->n_to == 0 || rec->to == NULL)
		return rm_fail(why, RM_EINVAL, "aad: not a restricted record");
	old = out->len;
	if ((rv = rm_cbor_put_array(out, 6)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, RESTRICTED_AAD_LABEL)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, rec->origin)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, rec->kind->name)) != RM_OK ||
	    (rv = rm_cbor_put_cstr(out, rec->object_id)) != RM_OK ||
	    (rv = rm_cbor_put_uint(out, rec->ver)) != RM_OK ||
	    (rv = rm_cbor_put_array(out, rec->n_to)) != RM_OK)
		goto fail;
	for (size_t i = 0; i < rec->n_to; i++)
		if ((rv = rm_cbor_put_cstr(out, rec->to[i])) != RM_OK)
			goto fail;
	return RM_OK;
fail:
	out->len = old;
	return rm_fail(why, rv, "aad: %s", rm_strerror(rv));
}
