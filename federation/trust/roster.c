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

/* ---------------- entries ---------------- */

void
roster_agency_fini(struct roster_agency *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n_keys; i++)
		crypto_key_free(a->keys[i].key);
	free(a->keys);
	crypto_key_free(a->key);
	crypto_key_free(a->enc_key);
	a->keys = NULL;
	a->n_keys = 0;
	a->key = NULL;
	a->enc_key = NULL;
}

void
roster_entry_free(const struct roster_entry *ce)
{
	struct roster_entry *e = (struct roster_entry *)ce;

	if (e == NULL || atomic_fetch_sub(&e->refs, 1) != 1)
		return;
	roster_agency_fini(&e->a);
	free(e);
}

struct roster_entry *
roster_entry_ref(const struct roster_entry *ce)
{
	struct roster_entry *e = (struct roster_entry *)ce;

	atomic_fetch_add(&e->refs, 1);
	return e;
}

/* A shared entry holding a copy of a (keys referenced). An entry built
 * with n_keys == 0 gets one open key: a->key. */
struct roster_entry *
roster_entry_new(const struct roster_agency *a, rm_why *why)
{
	struct roster_entry *e = calloc(1, sizeof(*e));
	size_t nk = a->n_keys > 0 ? a->n_keys : 1;

	if (e == NULL || (e->a.keys = calloc(nk, sizeof(*e->a.keys))) ==
	    NULL) {
		free(e);
		rm_fail(why, RM_ENOMEM, "roster: out of memory");
		return NULL;
	}
	atomic_init(&e->refs, 1);
	{
		struct roster_key *keys = e->a.keys;

		e->a = *a;
		e->a.keys = keys;
	}
	if (a->n_keys > 0) {
		memcpy(e->a.keys, a->keys, nk * sizeof(*a->keys));
	} else {
		e->a.keys[0].kid = a->kid;
		e->a.keys[0].key = a->key;
	}
	e->a.n_keys = nk;
	for (size_t i = 0; i < nk; i++)
		crypto_key_ref(e->a.keys[i].key);
	crypto_key_ref(e->a.key);
	crypto_key_ref(e->a.enc_key);
	return e;
}

static size_t
roster_lower(const struct roster *r, const char *id, bool *found)
{
	size_t lo = 0, hi = r->n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->agencies[mid]->a.id, id);

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

static int
kid_cmp(const void *x, const void *y)
{
	const struct roster_kid *a = x, *b = y;
	int c = memcmp(a->kid.b, b->kid.b, RM_HASH_BYTES);

	if (c != 0)
		return c;
	/* One kid held by two entries: the charter's first, then the
	 * older record: the lookup finds the first. */
	if ((a->e->a.registrar[0] == '\0') != (b->e->a.registrar[0] == '\0'))
		return a->e->a.registrar[0] == '\0' ? -1 : 1;
	return a->e->a.record_issued < b->e->a.record_issued ? -1 :
	    a->e->a.record_issued > b->e->a.record_issued;
}

int
roster_index(struct roster *r, rm_why *why)
{
	size_t n = 0, k = 0, ne = 0;
	struct roster_kid *kids, *enc;

	for (size_t i = 0; i < r->n; i++) {
		n += r->agencies[i]->a.n_keys;
		ne += r->agencies[i]->a.has_enc;
	}
	if ((enc = calloc(ne ? ne : 1, sizeof(*enc))) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	for (size_t i = 0, j = 0; i < r->n; i++)
		if (r->agencies[i]->a.has_enc) {
			enc[j].kid = r->agencies[i]->a.enc_kid;
			enc[j].e = r->agencies[i];
			j++;
		}
	qsort(enc, ne, sizeof(*enc), kid_cmp);
	free(r->enc);
	r->enc = enc;
	r->n_enc = ne;
	if ((kids = calloc(n ? n : 1, sizeof(*kids))) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->agencies[i]->a.n_keys; j++) {
			kids[k].kid = r->agencies[i]->a.keys[j].kid;
			kids[k].e = r->agencies[i];
			kids[k].key = j;
			k++;
		}
	qsort(kids, n, sizeof(*kids), kid_cmp);
	free(r->kids);
	r->kids = kids;
	r->n_kids = n;
	return RM_OK;
}

/* The first entry of ks[0..n) >= kid. */
static size_t
kids_lower(const struct roster_kid *ks, size_t n, const rm_hash *kid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(ks[mid].kid.b, kid->b, RM_HASH_BYTES) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t
kid_lower(const struct roster *r, const rm_hash *kid)
{
	return kids_lower(r->kids, r->n_kids, kid);
}

const struct roster_agency *
roster_kid_holder(const struct roster *r, const rm_hash *kid, bool *enc)
{
	const struct roster_agency *a = roster_find_kid(r, kid, NULL);
	size_t at;

	*enc = false;
	if (a != NULL)
		return a;
	at = kids_lower(r->enc, r->n_enc, kid);
	if (at < r->n_enc &&
	    memcmp(r->enc[at].kid.b, kid->b, RM_HASH_BYTES) == 0) {
		*enc = true;
		return &r->enc[at].e->a;
	}
	return NULL;
}

static const struct roster_entry *
kid_owner(const struct roster *r, const rm_hash *kid)
{
	size_t at = kid_lower(r, kid);

	if (at < r->n_kids &&
	    memcmp(r->kids[at].kid.b, kid->b, RM_HASH_BYTES) == 0)
		return r->kids[at].e;
	return NULL;
}

static int
reserve(struct roster *r, size_t n, rm_why *why)
{
	struct roster_entry **na;
	size_t cap;

	if (n <= r->cap)
		return RM_OK;
	if (n > ROSTER_AGENCIES_MAX)
		return rm_fail(why, RM_ETOOBIG, "roster: more than %d agencies",
		    ROSTER_AGENCIES_MAX);
	cap = r->cap ? r->cap : 16;
	while (cap < n)
		cap *= 2;
	if ((na = realloc(r->agencies, cap * sizeof(*na))) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	r->agencies = na;
	r->cap = cap;
	return RM_OK;
}

/* Put entry e (referenced by the roster from now on) at its place. */
static int
put_entry(struct roster *r, struct roster_entry *e, rm_why *why)
{
	bool found;
	size_t at = roster_lower(r, e->a.id, &found);
	int rv;

	if (found) {
		roster_entry_free(r->agencies[at]);
		r->agencies[at] = e;
		return RM_OK;
	}
	if ((rv = reserve(r, r->n + 1, why)) != RM_OK)
		return rv;
	memmove(&r->agencies[at + 1], &r->agencies[at],
	    (r->n - at) * sizeof(*r->agencies));
	r->agencies[at] = e;
	r->n++;
	return RM_OK;
}

int
roster_put_agency(struct roster *r, const struct roster_agency *a,
    rm_why *why)
{
	struct roster_agency c;
	struct roster_entry *e;
	const struct roster_entry *owner;
	size_t charter = 0;
	int rv;

	if ((rv = roster_agency_check(a, why)) != RM_OK)
		return rv;
	c = *a;
	c.n_keys = 0;
	c.keys = NULL;
	c.registrar[0] = '\0';
	if ((rv = crypto_key_kid(a->key, &c.kid)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: key: %s", a->id,
		    rm_strerror(rv));
	memset(&c.enc_kid, 0, sizeof(c.enc_kid));
	c.has_enc = a->enc_key != NULL;
	c.enc_spki_len = 0;
	if (a->enc_key != NULL && (rv = crypto_key_kid(a->enc_key,
	    &c.enc_kid)) != RM_OK)
		return rm_fail(why, rv, "roster agency %s: enc: %s", a->id,
		    rm_strerror(rv));
	/* one key, one use: never a signing key for key agreement */
	if (a->enc_key != NULL && memcmp(c.enc_kid.b, c.kid.b,
	    RM_HASH_BYTES) == 0)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: enc: "
		    "the signing key cannot be the encryption key", a->id);
	if ((owner = kid_owner(r, &c.kid)) != NULL &&
	    strcmp(owner->a.id, a->id) != 0)
		return rm_fail(why, RM_EBADVALUE, "roster agency %s: key "
		    "already used by %s", a->id, owner->a.id);
	for (size_t i = 0; i < r->n; i++)
		charter += r->agencies[i]->a.registrar[0] == '\0';
	if (roster_find(r, a->id) == NULL && charter >= ROSTER_CHARTER_MAX)
		return rm_fail(why, RM_ETOOBIG, "roster: more than %d agencies "
		    "in the charter", ROSTER_CHARTER_MAX);
	if ((e = roster_entry_new(&c, why)) == NULL)
		return RM_ENOMEM;
	if ((rv = put_entry(r, e, why)) != RM_OK) {
		roster_entry_free(e);
		return rv;
	}
	return roster_index(r, why);
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
	for (size_t i = 0; i < r->n; i++)
		roster_entry_free(r->agencies[i]);
	free(r->agencies);
	free(r->kids);
	free(r->enc);
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
	return i < r->n ? &r->agencies[i]->a : NULL;
}

const struct roster_agency *
roster_find(const struct roster *r, const char *agency_id)
{
	bool found;
	size_t at = roster_lower(r, agency_id, &found);

	return found ? &r->agencies[at]->a : NULL;
}

const struct roster_agency *
roster_find_kid(const struct roster *r, const rm_hash *kid,
    const struct roster_key **key)
{
	size_t at = kid_lower(r, kid);

	if (key != NULL)
		*key = NULL;
	if (at == r->n_kids ||
	    memcmp(r->kids[at].kid.b, kid->b, RM_HASH_BYTES) != 0)
		return NULL;
	if (key != NULL)
		*key = &r->kids[at].e->a.keys[r->kids[at].key];
	return &r->kids[at].e->a;
}

/* ---------------- key validity (docs/PROTOCOL.md §5b) ---------------- */

int
roster_key_check(const struct roster_agency *a, const struct roster_key *k,
    const struct rm_record *rec, rm_why *why)
{
	char kid[16], t[32], u[32];

	fed_hash_short(&k->kid, kid);
	if (rec->issued_ms < k->from) {
		rm_utc_format(k->from, t);
		rm_utc_format(rec->issued_ms, u);
		return rm_fail(why, RM_EUNAUTH, "key %s of %s is valid from %s; "
		    "the record was issued at %s", kid, a->id, t, u);
	}
	if (k->until != 0 && rec->issued_ms >= k->until) {
		rm_utc_format(k->until, t);
		rm_utc_format(rec->issued_ms, u);
		return rm_fail(why, RM_EUNAUTH, "key %s of %s was %s at %s; the "
		    "record was issued at %s", kid, a->id, key_end_name(k->end),
		    t, u);
	}
	if (k->last_seq != 0 && rec->seq > k->last_seq)
		return rm_fail(why, RM_EUNAUTH, "key %s of %s was %s after seq "
		    "%llu; the record has seq %llu", kid, a->id,
		    key_end_name(k->end), (unsigned long long)k->last_seq,
		    (unsigned long long)rec->seq);
	return RM_OK;
}

/* Parse spki once into *slot (a shared entry's lazily made key): the
 * first thread to finish installs its key, the others free theirs. */
static const crypto_key *
lazy_key(_Atomic(crypto_key *) *slot, const uint8_t *spki, size_t n,
    const rm_hash *kid)
{
	crypto_key *k = atomic_load(slot), *expected = NULL;
	rm_hash got;
	rm_why why;

	if (k != NULL)
		return k;
	if (n == 0 || crypto_key_from_spki(spki, n, &k, &why) != RM_OK)
		return NULL;
	if (crypto_key_kid(k, &got) != RM_OK ||
	    memcmp(got.b, kid->b, RM_HASH_BYTES) != 0) {
		crypto_key_free(k);         /* not the canonical encoding */
		return NULL;
	}
	if (!atomic_compare_exchange_strong(slot, &expected, k)) {
		crypto_key_free(k);
		return expected;
	}
	return k;
}

const crypto_key *
roster_key_public(const struct roster_key *k)
{
	struct roster_key *m = (struct roster_key *)k;

	return lazy_key(&m->key, k->spki, k->spki_len, &k->kid);
}

const crypto_key *
roster_agency_enc(const struct roster_agency *a)
{
	struct roster_agency *m = (struct roster_agency *)a;

	if (!a->has_enc)
		return NULL;
	return lazy_key(&m->enc_key, a->enc_spki, a->enc_spki_len,
	    &a->enc_kid);
}

const struct roster_key *
roster_key_current(const struct roster_agency *a, rm_utc_ms now)
{
	const struct roster_key *best = NULL;

	for (size_t i = 0; i < a->n_keys; i++) {
		const struct roster_key *k = &a->keys[i];

		if (k->from > now || (k->until != 0 && k->until <= now))
			continue;
		if (best == NULL || k->from >= best->from)
			best = k;
	}
	return best;
}

/* The kind whose roster permission covers records of kind k
 * (rm_kind_ops.roster_kind), or NULL when k or that kind is unknown. */
static const struct rm_kind_ops *
roster_granting_kind(const struct rm_kind_ops *k)
{
	if (k == NULL || k->roster_kind == NULL)
		return k;
	return kind_find(k->roster_kind, strlen(k->roster_kind));
}

int
roster_authorise(const struct roster_agency *a, const struct rm_record *rec,
    rm_why *why)
{
	const struct rm_kind_ops *granted;
	rm_grade g;
	int ki;

	if (strcmp(rec->origin, a->id) != 0)
		return rm_fail(why, RM_EUNAUTH, "origin \"%s\" is not the "
		    "signer %s", rec->origin, a->id);
	/* A kind with its own rule (rm_kind_ops.authorise) replaces the
	 * roster's kinds check: a fork resolution comes from the forked
	 * origin, whatever it may publish, or from a registrar. */
	if (rec->kind != NULL && rec->kind->authorise != NULL) {
		int rv = rec->kind->authorise(rec, roster_is_registrar(a),
		    why);

		if (rv != RM_OK)
			return rv;
	} else if ((granted = roster_granting_kind(rec->kind)) == NULL ||
	    (ki = kind_index(granted)) < 0 ||
	    (a->kinds & ((rm_kind_set)1u << ki)) == 0) {
		if (granted != NULL && granted != rec->kind)
			return rm_fail(why, RM_EUNAUTH, "kind: %s may not "
			    "publish kind \"%s\" (it needs kind \"%s\" in the "
			    "roster)", a->id, rec->kind->name, granted->name);
		return rm_fail(why, RM_EUNAUTH, "kind: %s may not publish "
		    "kind \"%s\"", a->id, rec->kind != NULL ?
		    rec->kind->name : "?");
	}
	for (size_t i = 0; i < rec->n_areas; i++) {
		size_t j;

		for (j = 0; j < a->n_areas; j++)
			if (area_contains(a->areas[j], rec->areas[i]))
				break;
		if (j == a->n_areas)
			return rm_fail(why, RM_EUNAUTH, "areas[%zu]: %s is "
			    "outside the areas of %s", i, rec->areas[i], a->id);
	}
	/* An agency record: the agency's own id names an area code, and
	 * that too must be the registrar's (docs/PROTOCOL.md §5a): a
	 * registrar never speaks for another province's agencies. */
	if (rec->kind == &rm_kind_agency) {
		char code[RM_AREA_CODE_MAX + 1];
		size_t k = strspn(rec->object_id, "0123456789"), j;

		if (k == 0 || k > RM_AREA_CODE_MAX || rec->object_id[k] != '.')
			return rm_fail(why, RM_EUNAUTH, "oid: \"%.64s\" is not "
			    "an agency id", rec->object_id);
		memcpy(code, rec->object_id, k);
		code[k] = '\0';
		for (j = 0; j < a->n_areas; j++)
			if (area_contains(a->areas[j], code))
				break;
		if (j == a->n_areas)
			return rm_fail(why, RM_EUNAUTH, "oid: agency %s is outside "
			    "the areas of registrar %s", rec->object_id, a->id);
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
