/*
 * roster.c -- the roster object: entries, lookups and authorisation.
 *
 * The signed encoding (roster_sign / roster_open) is in roster_codec.c.
 */
#include <stdlib.h>
#include <string.h>

#include "federation/trust/trust_int.h"

static const char *const roster_roles[] = { "centre", "department",
	"district" };

void
fed_hash_short(const rm_hash *h, char out[16])
{
	rm_hex_encode(h->b, 4, out);
	memcpy(out + 8, "\xe2\x80\xa6", 4);     /* "…" and NUL */
}

struct roster *
roster_alloc(void)
{
	struct roster *r = calloc(1, sizeof(*r));

	if (r != NULL)
		atomic_init(&r->refs, 1);
	return r;
}

void
roster_set_issued(struct roster *r, rm_utc_ms issued_ms)
{
	r->issued_ms = issued_ms;
}

int
roster_new(const char *federation_name, uint64_t version, struct roster **out,
    rm_why *why)
{
	struct roster *r;
	size_t n = strlen(federation_name);

	if (n == 0 || n > ROSTER_FED_NAME_MAX ||
	    !rm_utf8_valid(federation_name, n))
		return rm_fail(why, RM_EBADVALUE,
		    "roster.federation: must be 1..%d bytes of UTF-8",
		    ROSTER_FED_NAME_MAX);
	if ((r = roster_alloc()) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	memcpy(r->federation, federation_name, n + 1);
	r->version = version;
	r->issued_ms = rm_utc_now_ms();
	*out = r;
	return RM_OK;
}

static int
check_text(const char *s, size_t cap, const char *id, const char *field,
    bool nonempty, rm_why *why)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return rm_fail(why, RM_ETOOBIG, "roster agency %s: %s too long",
		    id, field);
	if ((nonempty && n == 0) || !rm_utf8_valid(s, n))
		return rm_fail(why, RM_EBADVALUE,
		    "roster agency %s: %s must be %sUTF-8", id, field,
		    nonempty ? "non-empty " : "");
	return RM_OK;
}

int
roster_agency_check(const struct roster_agency *a, rm_why *why)
{
	size_t i;
	int rv;

	if (strnlen(a->id, sizeof(a->id)) == sizeof(a->id) ||
	    !agency_id_valid(a->id))
		return rm_fail(why, RM_EBADVALUE,
		    "roster agency id: \"%.64s\" is not a valid agency id",
		    a->id);
	if ((rv = check_text(a->name_zh, sizeof(a->name_zh), a->id, "name_zh",
	    true, why)) != RM_OK ||
	    (rv = check_text(a->name_en, sizeof(a->name_en), a->id, "name_en",
	    true, why)) != RM_OK ||
	    (rv = check_text(a->role, sizeof(a->role), a->id, "role", true,
	    why)) != RM_OK)
		return rv;
	for (i = 0; i < sizeof(roster_roles) / sizeof(roster_roles[0]); i++)
		if (strcmp(a->role, roster_roles[i]) == 0)
			break;
	if (i == sizeof(roster_roles) / sizeof(roster_roles[0]))
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: unknown "
		    "role \"%s\" (centre|department|district)", a->id, a->role);
	if (a->kinds == 0 || (a->kinds & ~kind_set_all()) != 0)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: kinds "
		    "0x%x: empty or unknown kind", a->id, (unsigned)a->kinds);
	if (grade_name(a->max_grade) == NULL || a->max_grade < RM_GRADE_BLUE ||
	    a->max_grade > RM_GRADE_RED)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: bad "
		    "max_grade %d", a->id, (int)a->max_grade);
	if (a->n_areas == 0 || a->n_areas > ROSTER_AREAS_MAX)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: needs "
		    "1..%d areas, has %zu", a->id, ROSTER_AREAS_MAX, a->n_areas);
	for (i = 0; i < a->n_areas; i++) {
		if (strnlen(a->areas[i], sizeof(a->areas[i])) ==
		    sizeof(a->areas[i]) || !area_code_valid(a->areas[i]))
			return rm_fail(why, RM_EBADVALUE, "roster agency %s: "
			    "areas[%zu]: \"%.12s\" is not a GB/T 2260 code",
			    a->id, i, a->areas[i]);
	}
	if (a->key == NULL)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: no key",
		    a->id);
	return RM_OK;
}

static size_t
roster_lower(const struct roster *r, const char *id, bool *found)
{
	size_t lo = 0, hi = r->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->agencies[mid].id, id);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
roster_put_agency(struct roster *r, const struct roster_agency *a,
    rm_why *why)
{
	struct roster_agency e;
	bool found;
	size_t at;
	int rv;

	if ((rv = roster_agency_check(a, why)) != RM_OK)
		return rv;
	e = *a;
	if ((rv = crypto_key_kid(a->key, &e.kid)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: key: %s", a->id,
		    rm_strerror(rv));
	memset(&e.enc_kid, 0, sizeof(e.enc_kid));
	if (a->enc_key != NULL && (rv = crypto_key_kid(a->enc_key,
	    &e.enc_kid)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: enc: %s", a->id,
		    rm_strerror(rv));
	/* one key, one use: never a signing key for key agreement */
	if (a->enc_key != NULL && memcmp(e.enc_kid.b, e.kid.b,
	    RM_HASH_BYTES) == 0)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: enc: "
		    "the signing key cannot be the encryption key", a->id);
	for (size_t i = 0; i < r->n; i++) {
		if (strcmp(r->agencies[i].id, a->id) != 0 &&
		    memcmp(r->agencies[i].kid.b, e.kid.b, RM_HASH_BYTES) == 0)
			return rm_fail(why, RM_EBADVALUE, "roster agency %s: "
			    "key already used by %s", a->id,
			    r->agencies[i].id);
	}
	at = roster_lower(r, a->id, &found);
	if (!found && r->n >= ROSTER_AGENCIES_MAX)
		return rm_fail(why, RM_ETOOBIG, "roster: more than %d agencies",
		    ROSTER_AGENCIES_MAX);
	if (!found && r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct roster_agency *na = realloc(r->agencies,
		    cap * sizeof(*na));

		if (na == NULL)
			return rm_fail(why, RM_ENOMEM, "roster: out of memory");
		r->agencies = na;
		r->cap = cap;
	}
	e.key = crypto_key_ref(a->key);
	e.enc_key = a->enc_key != NULL ? crypto_key_ref(a->enc_key) : NULL;
	if (found) {
		crypto_key_free(r->agencies[at].key);
		crypto_key_free(r->agencies[at].enc_key);
	} else {
		memmove(&r->agencies[at + 1], &r->agencies[at],
		    (r->n - at) * sizeof(*r->agencies));
		r->n++;
	}
	r->agencies[at] = e;
	return RM_OK;
}

struct roster *
roster_ref(struct roster *r)
{
	if (r != NULL)
		atomic_fetch_add(&r->refs, 1);
	return r;
}

void
roster_free(struct roster *r)
{
	if (r == NULL || atomic_fetch_sub(&r->refs, 1) != 1)
		return;
	for (size_t i = 0; i < r->n; i++) {
		crypto_key_free(r->agencies[i].key);
		crypto_key_free(r->agencies[i].enc_key);
	}
	free(r->agencies);
	free(r->signed_bytes);
	free(r);
}

uint64_t
roster_version(const struct roster *r)
{
	return r->version;
}

const char *
roster_federation(const struct roster *r)
{
	return r->federation;
}

const uint8_t *
roster_signed(const struct roster *r, size_t *n)
{
	*n = r->signed_len;
	return r->signed_bytes;
}

rm_utc_ms
roster_issued(const struct roster *r)
{
	return r->issued_ms;
}

size_t
roster_count(const struct roster *r)
{
	return r->n;
}

const struct roster_agency *
roster_at(const struct roster *r, size_t i)
{
	return i < r->n ? &r->agencies[i] : NULL;
}

const struct roster_agency *
roster_find(const struct roster *r, const char *agency_id)
{
	bool found;
	size_t at = roster_lower(r, agency_id, &found);

	return found ? &r->agencies[at] : NULL;
}

const struct roster_agency *
roster_find_kid(const struct roster *r, const rm_hash *kid)
{
	for (size_t i = 0; i < r->n; i++)
		if (memcmp(r->agencies[i].kid.b, kid->b, RM_HASH_BYTES) == 0)
			return &r->agencies[i];
	return NULL;
}

int
roster_authorise(const struct roster_agency *a, const struct rm_record *rec,
    rm_why *why)
{
	rm_grade g;
	int ki;

	if (strcmp(rec->origin, a->id) != 0)
		return rm_fail(why, RM_EUNAUTH, "origin \"%s\" is not the "
		    "signer %s", rec->origin, a->id);
	if ((ki = kind_index(rec->kind)) < 0 ||
	    (a->kinds & ((rm_kind_set)1u << ki)) == 0)
		return rm_fail(why, RM_EUNAUTH, "kind: %s may not publish "
		    "kind \"%s\"", a->id, rec->kind != NULL ?
		    rec->kind->name : "?");
	for (size_t i = 0; i < rec->n_areas; i++) {
		size_t j;

		for (j = 0; j < a->n_areas; j++)
			if (area_contains(a->areas[j], rec->areas[i]))
				break;
		if (j == a->n_areas)
			return rm_fail(why, RM_EUNAUTH, "areas[%zu]: %s is "
			    "outside the areas of %s", i, rec->areas[i], a->id);
	}
	/* A graded kind (rm_kind_ops.grade) may not claim more than the
	 * agency's highest grade. A restricted record's grade is
	 * encrypted: its recipients check it (fed_record_decrypt). */
	g = rec->kind->grade != NULL && rec->body != NULL ?
	    rec->kind->grade(rec) : 0;
	if (g != 0 && g > a->max_grade)
		return rm_fail(why, RM_EUNAUTH, "grade: %s above the maximum "
		    "%s of %s", grade_name(g) != NULL ? grade_name(g) : "?",
		    grade_name(a->max_grade), a->id);
	return RM_OK;
}
