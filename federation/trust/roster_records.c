/*
 * roster_records.c -- roster entries from agency records
 * (docs/PROTOCOL.md §5a): a registrar named by the charter signs one
 * record per agency; a node's roster is the charter plus the newest of
 * those records. Roster versions share their entries: roster_apply
 * copies pointers and rebuilds the kid index, never the entries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/trust/trust_int.h"

bool
roster_is_registrar(const struct roster_agency *a)
{
	int ki = kind_index(&rm_kind_agency);

	return a != NULL && ki >= 0 &&
	    (a->kinds & ((rm_kind_set)1u << ki)) != 0;
}


int
roster_agency_from_record(const struct rm_record *rec,
    struct roster_agency *out, rm_why *why)
{
	const struct rm_agency *b = record_agency(rec);
	struct roster_agency a;
	const struct roster_key *cur;

	memset(out, 0, sizeof(*out));
	if (b == NULL)
		return rm_fail(why, RM_EINVAL, "not an agency record");
	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", b->id);
	snprintf(a.name_zh, sizeof(a.name_zh), "%s", b->name_zh);
	snprintf(a.name_en, sizeof(a.name_en), "%s", b->name_en);
	snprintf(a.role, sizeof(a.role), "%s", b->role);
	for (size_t i = 0; i < b->n_kinds; i++) {
		const struct rm_kind_ops *k = kind_find(b->kinds[i],
		    strlen(b->kinds[i]));

		if (k != NULL && k != &rm_kind_agency)
			a.kinds |= (rm_kind_set)1u << kind_index(k);
	}
	a.max_grade = b->max_grade;
	a.n_areas = b->n_areas < ROSTER_AREAS_MAX ? b->n_areas :
	    ROSTER_AREAS_MAX;
	for (size_t i = 0; i < a.n_areas; i++)
		snprintf(a.areas[i], sizeof(a.areas[i]), "%s", b->areas[i]);
	a.removed = b->removed;
	snprintf(a.registrar, sizeof(a.registrar), "%s", rec->origin);
	a.record_ver = rec->ver;
	a.record_issued = rec->issued_ms;
	if ((a.keys = calloc(b->n_keys, sizeof(*a.keys))) == NULL)
		return rm_fail(why, RM_ENOMEM, "agency %s: out of memory", a.id);
	/* Keys stay DER until used (roster_key_public): the kid is the
	 * SHA-256 of the SPKI as listed, as a signer's kid is of its
	 * canonical SPKI. */
	for (size_t i = 0; i < b->n_keys; i++) {
		struct roster_key *k = &a.keys[i];

		memcpy(k->spki, b->keys[i].spki, b->keys[i].spki_len);
		k->spki_len = b->keys[i].spki_len;
		crypto_sha256(k->spki, k->spki_len, &k->kid);
		a.n_keys++;
		k->from = b->keys[i].from;
		k->until = b->keys[i].until;
		k->end = b->keys[i].end;
		k->last_seq = b->keys[i].last_seq;
	}
	if (b->enc_len > 0) {
		memcpy(a.enc_spki, b->enc, b->enc_len);
		a.enc_spki_len = b->enc_len;
		a.has_enc = true;
		crypto_sha256(a.enc_spki, a.enc_spki_len, &a.enc_kid);
	}
	/* `kid` names the key in use now, else the newest one. */
	if ((cur = roster_key_current(&a, rm_utc_now_ms())) == NULL)
		cur = &a.keys[a.n_keys - 1];
	a.kid = cur->kid;
	*out = a;
	return RM_OK;
}

/* ---------------- new roster versions ---------------- */

static struct roster *
roster_clone(const struct roster *r, size_t extra, rm_why *why)
{
	struct roster *c = roster_alloc();

	if (c == NULL) {
		rm_fail(why, RM_ENOMEM, "roster: out of memory");
		return NULL;
	}
	memcpy(c->federation, r->federation, sizeof(c->federation));
	c->version = r->version;
	c->issued_ms = r->issued_ms;
	if (r->signed_len > 0) {
		if ((c->signed_bytes = malloc(r->signed_len)) == NULL)
			goto nomem;
		memcpy(c->signed_bytes, r->signed_bytes, r->signed_len);
		c->signed_len = r->signed_len;
	}
	if ((c->agencies = calloc(r->n + extra + 1,
	    sizeof(*c->agencies))) == NULL)
		goto nomem;
	c->cap = r->n + extra + 1;
	return c;
nomem:
	roster_free(c);
	rm_fail(why, RM_ENOMEM, "roster: out of memory");
	return NULL;
}

/* One entry to apply: a (sorted by id), and the shared entry already
 * made for it when the caller hands them over (roster_load_records). */
struct apply_item {
	const struct roster_agency *a;
	struct roster_entry *owned;
	const char *taken_by;       /* another agency of the batch holds
	                               one of its keys (issued earlier) */
};

static int
entry_id_cmp(const void *x, const void *y)
{
	const struct roster_agency *a = ((const struct apply_item *)x)->a;
	const struct roster_agency *b = ((const struct apply_item *)y)->a;
	int c = strcmp(a->id, b->id);

	if (c != 0)
		return c;
	/* Newest last, so that it wins when applied in order: the order
	 * of newer_than (issued, then the lower registrar id, then ver). */
	if (a->record_issued != b->record_issued)
		return a->record_issued < b->record_issued ? -1 : 1;
	if ((c = strcmp(a->registrar, b->registrar)) != 0)
		return -c;
	return a->record_ver < b->record_ver ? -1 : a->record_ver > b->record_ver;
}

/* One key (signing or encryption) of a batch item. */
struct batch_kid {
	rm_hash kid;
	rm_utc_ms issued;
	size_t item;
};

static int
batch_kid_cmp(const void *x, const void *y)
{
	const struct batch_kid *a = x, *b = y;
	int c = memcmp(a->kid.b, b->kid.b, RM_HASH_BYTES);

	if (c != 0)
		return c;
	if (a->issued != b->issued)
		return a->issued < b->issued ? -1 : 1;
	return a->item < b->item ? -1 : a->item > b->item;
}

/* One key, one use inside the batch too, as across rosters: of items
 * of different agencies sharing a key, the one issued first keeps it;
 * the others are marked taken_by it. The same whether records come one
 * commit at a time or all at once (a restart). RM_ENOMEM. */
static int
batch_keys(struct apply_item *items, size_t n)
{
	struct batch_kid *bk;
	size_t nk = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		nk += items[i].a->n_keys + items[i].a->has_enc;
	if ((bk = calloc(nk ? nk : 1, sizeof(*bk))) == NULL)
		return RM_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct roster_agency *a = items[i].a;

		for (size_t j = 0; j < a->n_keys; j++)
			bk[k++] = (struct batch_kid){ a->keys[j].kid,
			    a->record_issued, i };
		if (a->has_enc)
			bk[k++] = (struct batch_kid){ a->enc_kid,
			    a->record_issued, i };
	}
	qsort(bk, nk, sizeof(*bk), batch_kid_cmp);
	for (size_t i = 0, first = 0; i < nk; i++) {
		if (i > 0 && memcmp(bk[i].kid.b, bk[i - 1].kid.b,
		    RM_HASH_BYTES) != 0)
			first = i;
		if (i != first && strcmp(items[bk[i].item].a->id,
		    items[bk[first].item].a->id) != 0)
			items[bk[i].item].taken_by = items[bk[first].item].a->id;
	}
	free(bk);
	return RM_OK;
}

/* Is (issued, registrar, ver) newer than the entry old? */
static bool
newer_than(rm_utc_ms issued, const char *registrar, uint64_t ver,
    const struct roster_agency *old)
{
	if (old->registrar[0] == '\0')
		return false;               /* the charter's is final */
	if (issued != old->record_issued)
		return issued > old->record_issued;
	if (strcmp(registrar, old->registrar) != 0)
		return strcmp(registrar, old->registrar) < 0;
	return ver > old->record_ver;
}

static bool
newer(const struct roster_agency *e, const struct roster_agency *old)
{
	return newer_than(e->record_issued, e->registrar, e->record_ver, old);
}

bool
roster_record_newer(const struct roster *r, const struct rm_record *rec)
{
	const struct roster_agency *old;

	if (record_agency(rec) == NULL)
		return false;
	if ((old = roster_find(r, rec->object_id)) == NULL)
		return true;
	/* a charter agency: roster_apply reports it (skip) */
	if (old->registrar[0] == '\0')
		return true;
	return newer_than(rec->issued_ms, rec->origin, rec->ver, old);
}

/* Another agency already holds one of e's keys (signing or
 * encryption, one key, one use) in r: writes why to out, returns it. */
static const char *
key_taken(const struct roster *r, const struct roster_agency *e,
    char *out, size_t n)
{
	const struct roster_agency *o;
	bool enc;

	for (size_t i = 0; i < e->n_keys; i++) {
		o = roster_kid_holder(r, &e->keys[i].kid, &enc);
		if (o != NULL && (strcmp(o->id, e->id) != 0 || enc)) {
			snprintf(out, n, "its keys[%zu] is already the %s key "
			    "of %s", i, enc ? "encryption" : "signing", o->id);
			return out;
		}
	}
	if (e->has_enc &&
	    (o = roster_kid_holder(r, &e->enc_kid, &enc)) != NULL &&
	    (strcmp(o->id, e->id) != 0 || !enc)) {
		snprintf(out, n, "its encryption key is already the %s key of "
		    "%s", enc ? "encryption" : "signing", o->id);
		return out;
	}
	return NULL;
}

/* roster_apply over items (sorted here); owned entries not used are
 * freed. */
static int
apply_items(const struct roster *r, struct apply_item *items, size_t n,
    void (*skip)(void *arg, const struct roster_agency *e,
    const char *reason), void *arg, struct roster **out, rm_why *why)
{
	struct roster *c;
	size_t i, j;
	int rv = RM_OK;

	*out = NULL;
	if (r->n + n > ROSTER_AGENCIES_MAX) {
		rv = rm_fail(why, RM_ETOOBIG, "roster: more than %d agencies",
		    ROSTER_AGENCIES_MAX);
		goto done;
	}
	if (batch_keys(items, n) != RM_OK) {
		rv = rm_fail(why, RM_ENOMEM, "roster: out of memory");
		goto done;
	}
	qsort(items, n, sizeof(*items), entry_id_cmp);
	if ((c = roster_clone(r, n, why)) == NULL) {
		rv = RM_ENOMEM;
		goto done;
	}
	/* Merge the sorted old entries with the sorted new ones. */
	for (i = 0, j = 0; i < r->n || j < n;) {
		struct apply_item *it;
		const struct roster_agency *e;
		const char *other;
		char taken[160];
		struct roster_entry *ne;
		int cmp;

		if (j == n) {
			c->agencies[c->n++] = roster_entry_ref(r->agencies[i++]);
			continue;
		}
		cmp = i < r->n ? strcmp(r->agencies[i]->a.id,
		    items[j].a->id) : 1;
		if (cmp < 0) {
			c->agencies[c->n++] = roster_entry_ref(r->agencies[i++]);
			continue;
		}
		it = &items[j++];
		e = it->a;
		/* Later entries for the same id in this batch win. */
		if (j < n && strcmp(items[j].a->id, e->id) == 0)
			continue;
		if (cmp == 0) {
			const struct roster_agency *old = &r->agencies[i]->a;

			if (old->registrar[0] == '\0' || !newer(e, old)) {
				/* An older or the same version: nothing new. */
				if (skip != NULL && old->registrar[0] == '\0')
					skip(arg, e, "the charter names this "
					    "agency");
				c->agencies[c->n++] = roster_entry_ref(r->agencies[i++]);
				continue;
			}
		}
		if (it->taken_by != NULL)
			snprintf(taken, sizeof(taken), "a key of it is also in the "
			    "record of %s, issued first", it->taken_by);
		if ((other = it->taken_by != NULL ? taken :
		    key_taken(r, e, taken, sizeof(taken))) != NULL) {
			if (skip != NULL)
				skip(arg, e, other);
			if (cmp == 0)
				c->agencies[c->n++] =
				    roster_entry_ref(r->agencies[i++]);
			continue;
		}
		if (it->owned != NULL) {
			ne = it->owned;
			it->owned = NULL;
		} else if ((ne = roster_entry_new(e, why)) == NULL) {
			roster_free(c);
			rv = RM_ENOMEM;
			goto done;
		}
		c->agencies[c->n++] = ne;
		if (cmp == 0)
			i++;
	}
	if ((rv = roster_index(c, why)) != RM_OK) {
		roster_free(c);
		goto done;
	}
	*out = c;
done:
	for (i = 0; i < n; i++)
		if (items[i].owned != NULL)
			roster_entry_free(items[i].owned);
	return rv;
}

int
roster_apply(const struct roster *r, const struct roster_agency *entries,
    size_t n, void (*skip)(void *arg, const struct roster_agency *e,
    const char *reason), void *arg, struct roster **out, rm_why *why)
{
	struct apply_item *items;
	int rv;

	*out = NULL;
	if ((items = calloc(n ? n : 1, sizeof(*items))) == NULL)
		return rm_fail(why, RM_ENOMEM, "roster: out of memory");
	for (size_t i = 0; i < n; i++)
		items[i].a = &entries[i];
	rv = apply_items(r, items, n, skip, arg, out, why);
	free(items);
	return rv;
}

int
roster_rebase(const struct roster *charter, const struct roster *view,
    struct roster **out, rm_why *why)
{
	struct roster *c;
	size_t i = 0, j = 0;
	int rv;

	*out = NULL;
	if ((c = roster_clone(charter, view->n, why)) == NULL)
		return RM_ENOMEM;
	/* Charter entries (all of `charter`'s that are the charter's), then
	 * the view's record entries for ids the charter does not name. */
	while (i < charter->n || j < view->n) {
		const struct roster_entry *a = i < charter->n ?
		    charter->agencies[i] : NULL;
		const struct roster_entry *b = j < view->n ?
		    view->agencies[j] : NULL;
		int cmp;

		if (b != NULL && b->a.registrar[0] == '\0') {
			j++;                    /* the old charter's */
			continue;
		}
		if (a != NULL && a->a.registrar[0] != '\0') {
			i++;
			continue;
		}
		cmp = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->a.id, b->a.id);
		if (cmp <= 0) {
			c->agencies[c->n++] = roster_entry_ref(charter->agencies[i++]);
			if (cmp == 0)
				j++;
		} else
			c->agencies[c->n++] = roster_entry_ref(view->agencies[j++]);
	}
	if ((rv = roster_index(c, why)) != RM_OK) {
		roster_free(c);
		return rv;
	}
	*out = c;
	return RM_OK;
}

/* ---------------- CBOR sequences of signed records ---------------- */

/* Agency records met in a sequence, each already the shared entry the
 * new roster will hold (no second copy of 10,000 entries). */
struct pending {
	struct apply_item *it;
	size_t n, cap;
};

static int
pending_add(struct pending *pd, const struct rm_record *rec, rm_why *why)
{
	struct roster_agency e;
	struct roster_entry *ne;
	int rv;

	if ((rv = roster_agency_from_record(rec, &e, why)) != RM_OK)
		return rv;
	ne = roster_entry_new(&e, why);
	roster_agency_fini(&e);
	if (ne == NULL)
		return RM_ENOMEM;
	if (pd->n == pd->cap) {
		size_t cap = pd->cap ? pd->cap * 2 : 64;
		struct apply_item *ni = realloc(pd->it, cap * sizeof(*ni));

		if (ni == NULL) {
			roster_entry_free(ne);
			return rm_fail(why, RM_ENOMEM, "roster: out of memory");
		}
		pd->it = ni;
		pd->cap = cap;
	}
	/* A later version of the same agency replaces an earlier one in
	 * apply_items (newest wins), so all are kept. */
	pd->it[pd->n].a = &ne->a;
	pd->it[pd->n].owned = ne;
	pd->it[pd->n].taken_by = NULL;
	pd->n++;
	return RM_OK;
}

int
roster_load_records(const struct roster *r, const uint8_t *p, size_t n,
    int (*each)(void *arg, size_t index, const struct fed_record *fr,
    int err, const rm_why *why), void *arg,
    void (*skip)(void *arg, const struct roster_agency *e,
    const char *reason), struct roster **out, rm_why *why)
{
	struct pending pd = { NULL, 0, 0 };
	rm_cbor_rd rd;
	size_t index = 0;
	int rv = RM_OK;

	if (out != NULL)
		*out = NULL;
	rm_cbor_rd_init(&rd, p, n);
	while (rd.off < n) {
		struct fed_record fr;
		size_t start = rd.off;
		rm_why w;
		int err;

		if (rm_cbor_rd_skip(&rd) != RM_OK) {
			rv = rm_fail(why, RM_EMALFORMED, "record %zu at byte %zu: "
			    "not a complete CBOR item", index, start);
			goto out;
		}
		err = fed_record_open(r, p + start, rd.off - start, &fr, &w);
		if (err == RM_OK && out != NULL &&
		    record_agency(&fr.rec) != NULL &&
		    roster_record_newer(r, &fr.rec) &&
		    (rv = pending_add(&pd, &fr.rec, why)) != RM_OK) {
			fed_record_fini(&fr);
			goto out;
		}
		if (each != NULL)
			rv = each(arg, index, err == RM_OK ? &fr : NULL, err, &w);
		if (err == RM_OK)
			fed_record_fini(&fr);
		if (rv != RM_OK)
			goto out;
		index++;
	}
	if (out != NULL) {
		if (pd.n == 0)
			*out = roster_ref((struct roster *)r);
		else {
			rv = apply_items(r, pd.it, pd.n, skip, arg, out, why);
			pd.n = 0;       /* apply_items took or freed them */
		}
	}
out:
	for (size_t i = 0; i < pd.n; i++)
		roster_entry_free(pd.it[i].owned);
	free(pd.it);
	return rv;
}
