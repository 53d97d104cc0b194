/*
 * test_roster_records.c -- agency records (docs/PROTOCOL.md §5a, §5b):
 * the kind's codec and rules, roster_apply at scale and its lookups, key
 * validity on fed_record_open, the skip rules, roster_load_records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fed_fixture.h"
#include "rm_test.h"

#define T0 1786000000000LL          /* fx_record issues at T0 + seq */

/* An agency record for id, signed by the fixture's centre (a registrar
 * in these tests), with keys[0..nk) and their bounds. */
struct agency_rec {
	struct rm_record r;
	struct rm_agency a;
};

static void
agency_rec(struct agency_rec *x, const char *id, const char *area,
    uint64_t seq)
{
	static char zh[] = "测试机构", en[] = "Test agency";

	memset(x, 0, sizeof(*x));
	x->r.schema_version = RM_SCHEMA_VERSION;
	x->r.kind = &rm_kind_agency;
	x->r.body = &x->a;
	snprintf(x->r.origin, sizeof(x->r.origin), "%s", FX_COMMAND);
	snprintf(x->r.object_id, sizeof(x->r.object_id), "%s", id);
	x->r.ver = 1;
	x->r.seq = seq;
	x->r.has_prev = seq > 1;
	x->r.issued_ms = T0 - 1000 + (rm_utc_ms)seq;
	x->r.n_areas = 1;
	snprintf(x->r.areas[0], sizeof(x->r.areas[0]), "%s", area);
	snprintf(x->a.id, sizeof(x->a.id), "%s", id);
	x->a.name_zh = zh;
	x->a.name_en = en;
	snprintf(x->a.role, sizeof(x->a.role), "department");
	x->a.n_areas = 1;
	snprintf(x->a.areas[0], sizeof(x->a.areas[0]), "%s", area);
	x->a.n_kinds = 1;
	snprintf(x->a.kinds[0], sizeof(x->a.kinds[0]), "alert");
	x->a.max_grade = RM_GRADE_ORANGE;
}

static void
add_key(struct agency_rec *x, const crypto_key *k, rm_utc_ms from,
    rm_utc_ms until, enum rm_key_end end, uint64_t last_seq)
{
	struct rm_agency_key *ak = &x->a.keys[x->a.n_keys++];
	rm_buf spki = RM_BUF_INIT;

	CU_ASSERT_EQUAL_FATAL(crypto_key_spki(k, &spki), RM_OK);
	memcpy(ak->spki, spki.data, spki.len);
	ak->spki_len = spki.len;
	ak->from = from;
	ak->until = until;
	ak->end = end;
	ak->last_seq = last_seq;
	rm_buf_fini(&spki);
}

/* The fixture charter with the centre as registrar. */
static struct roster *
charter(void)
{
	struct roster *r;

	fx_kinds_extra[0] = (rm_kind_set)1u << kind_index(&rm_kind_agency);
	r = fx_roster(1);
	fx_kinds_extra[0] = 0;
	return r;
}

static void
entry_of(const struct agency_rec *x, struct roster_agency *e)
{
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(roster_agency_from_record(&x->r, e, &why),
	    RM_OK);
}

static void
test_codec(void)
{
	struct agency_rec x;
	struct rm_record d;
	rm_buf b = RM_BUF_INIT, b2 = RM_BUF_INIT;
	const struct rm_agency *da;
	rm_why why;

	agency_rec(&x, "120104.gas", "120104", 1);
	add_key(&x, fx_fed()->key[0], T0 - 5000, T0 - 10, RM_KEY_ROTATED, 0);
	add_key(&x, fx_fed()->key[1], T0 - 10, 0, RM_KEY_OPEN, 0);
	CU_ASSERT_EQUAL_FATAL(record_encode(&x.r, &b, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(record_decode(b.data, b.len, &d, &why), RM_OK);
	da = record_agency(&d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(da);
	CU_ASSERT_STRING_EQUAL(da->id, "120104.gas");
	CU_ASSERT_STRING_EQUAL(da->name_zh, "测试机构");
	CU_ASSERT_EQUAL(da->n_keys, 2);
	CU_ASSERT_EQUAL(da->keys[0].until, T0 - 10);
	CU_ASSERT_EQUAL(da->keys[0].end, RM_KEY_ROTATED);
	CU_ASSERT_EQUAL(da->keys[1].until, 0);
	CU_ASSERT_EQUAL(record_encode(&d, &b2, &why), RM_OK);
	CU_ASSERT(b.len == b2.len && memcmp(b.data, b2.data, b.len) == 0);
	record_fini(&d);

	/* the rules */
	snprintf(x.a.kinds[0], sizeof(x.a.kinds[0]), "agency");
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "registrars"));
	snprintf(x.a.kinds[0], sizeof(x.a.kinds[0]), "alert");
	x.a.keys[0].until = 0;
	x.a.keys[0].end = RM_KEY_OPEN;              /* two open keys */
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "at most one key"));
	x.a.keys[0].until = T0 - 6000;               /* until before from */
	x.a.keys[0].end = RM_KEY_ROTATED;
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	x.a.keys[0].until = T0 - 10;
	x.a.removed = true;                         /* removed, key open */
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	x.a.removed = false;
	snprintf(x.r.areas[0], sizeof(x.r.areas[0]), "120105");
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	snprintf(x.r.areas[0], sizeof(x.r.areas[0]), "120104");
	snprintf(x.r.object_id, sizeof(x.r.object_id), "120104.other");
	CU_ASSERT_EQUAL(record_validate(&x.r, &why), RM_EBADVALUE);
	rm_buf_fini(&b);
	rm_buf_fini(&b2);
}

/* 10,000 agencies: every id and every kid found, by binary search. */
static void
test_scale(void)
{
	enum { N = 10000 };
	struct roster *c = charter(), *r, *r2;
	struct roster_agency *es = calloc(N, sizeof(*es));
	crypto_key **keys = calloc(N, sizeof(*keys));
	const struct roster_key *k;
	struct agency_rec x;
	char id[64];
	rm_why why;

	CU_ASSERT_PTR_NOT_NULL_FATAL(es);
	for (size_t i = 0; i < N; i++) {
		CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&keys[i], &why), RM_OK);
		snprintf(id, sizeof(id), "120104.unit%05zu", i);
		agency_rec(&x, id, "120104", i + 1);
		add_key(&x, keys[i], 0, 0, RM_KEY_OPEN, 0);
		entry_of(&x, &es[i]);
	}
	CU_ASSERT_EQUAL_FATAL(roster_apply(c, es, N, NULL, NULL, &r, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(roster_count(r), N + FX_N_AGENCIES);
	CU_ASSERT_EQUAL(roster_version(r), roster_version(c));
	for (size_t i = 0; i < N; i += 97) {
		rm_hash kid;

		snprintf(id, sizeof(id), "120104.unit%05zu", i);
		CU_ASSERT_PTR_NOT_NULL(roster_find(r, id));
		crypto_key_kid(keys[i], &kid);
		CU_ASSERT_PTR_EQUAL(roster_find_kid(r, &kid, &k),
		    roster_find(r, id));
		CU_ASSERT_PTR_NOT_NULL(k);
	}
	CU_ASSERT_PTR_NOT_NULL(roster_find(r, FX_WATER));   /* charter kept */
	/* one change: a new roster; the old one is unchanged */
	agency_rec(&x, "120104.unit00042", "120104", N + 1);
	x.r.ver = 2;
	x.r.issued_ms += 100000;
	add_key(&x, keys[42], 0, T0, RM_KEY_REVOKED, 7);
	roster_agency_fini(&es[0]);
	entry_of(&x, &es[0]);
	CU_ASSERT_EQUAL_FATAL(roster_apply(r, es, 1, NULL, NULL, &r2, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(roster_count(r2), roster_count(r));
	CU_ASSERT_EQUAL(roster_find(r2, "120104.unit00042")->keys[0].until, T0);
	CU_ASSERT_EQUAL(roster_find(r, "120104.unit00042")->keys[0].until, 0);
	CU_ASSERT_PTR_NULL(roster_key_current(roster_find(r2,
	    "120104.unit00042"), T0 + 1));
	/* an older version changes nothing */
	agency_rec(&x, "120104.unit00042", "120104", 1);
	add_key(&x, keys[42], 0, 0, RM_KEY_OPEN, 0);
	roster_agency_fini(&es[0]);
	entry_of(&x, &es[0]);
	roster_free(r);
	CU_ASSERT_EQUAL_FATAL(roster_apply(r2, es, 1, NULL, NULL, &r, &why),
	    RM_OK);
	CU_ASSERT_EQUAL(roster_find(r, "120104.unit00042")->keys[0].until, T0);
	for (size_t i = 0; i < N; i++) {
		roster_agency_fini(&es[i]);
		crypto_key_free(keys[i]);
	}
	free(es);
	free(keys);
	roster_free(r);
	roster_free(r2);
	roster_free(c);
}

static int skipped;
static char skip_reason[128];

static void
on_skip(void *arg, const struct roster_agency *e, const char *reason)
{
	(void)arg;
	(void)e;
	skipped++;
	snprintf(skip_reason, sizeof(skip_reason), "%s", reason);
}

static void
test_skip_rules(void)
{
	struct roster *c = charter(), *r;
	struct roster_agency e;
	struct agency_rec x;
	rm_why why;

	/* a charter agency is final */
	agency_rec(&x, FX_WATER, "120104", 1);
	add_key(&x, fx_fed()->key[2], 0, 0, RM_KEY_OPEN, 0);
	entry_of(&x, &e);
	skipped = 0;
	CU_ASSERT_EQUAL(roster_apply(c, &e, 1, on_skip, NULL, &r, &why), RM_OK);
	CU_ASSERT_EQUAL(skipped, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(skip_reason, "charter"));
	CU_ASSERT_STRING_EQUAL(roster_find(r, FX_WATER)->registrar, "");
	roster_free(r);
	roster_agency_fini(&e);
	/* another agency's key */
	agency_rec(&x, "120104.thief", "120104", 1);
	add_key(&x, fx_fed()->key[2], 0, 0, RM_KEY_OPEN, 0);
	entry_of(&x, &e);
	skipped = 0;
	CU_ASSERT_EQUAL(roster_apply(c, &e, 1, on_skip, NULL, &r, &why), RM_OK);
	CU_ASSERT_EQUAL(skipped, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(skip_reason, "signing key of " FX_WATER));
	CU_ASSERT_PTR_NULL(roster_find(r, "120104.thief"));
	roster_free(r);
	roster_agency_fini(&e);
	/* two new agencies with one key in one batch (a restart applies
	 * every stored record at once): the one issued first keeps it, as
	 * when they come one commit at a time */
	{
		struct roster_agency two[2];
		struct roster *r1, *r2;
		crypto_key *k;
		rm_why w;

		CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k, &w), RM_OK);
		agency_rec(&x, "120104.zzfirst", "120104", 1);   /* issued T0-999 */
		add_key(&x, k, 0, 0, RM_KEY_OPEN, 0);
		entry_of(&x, &two[0]);
		agency_rec(&x, "120104.aalater", "120104", 2);   /* T0-998 */
		add_key(&x, k, 0, 0, RM_KEY_OPEN, 0);
		entry_of(&x, &two[1]);
		skipped = 0;
		CU_ASSERT_EQUAL(roster_apply(c, two, 2, on_skip, NULL, &r, &why),
		    RM_OK);
		CU_ASSERT_EQUAL(skipped, 1);
		CU_ASSERT_PTR_NOT_NULL(strstr(skip_reason, "120104.zzfirst"));
		CU_ASSERT_PTR_NOT_NULL(roster_find(r, "120104.zzfirst"));
		CU_ASSERT_PTR_NULL(roster_find(r, "120104.aalater"));
		/* one at a time: the same roster */
		CU_ASSERT_EQUAL(roster_apply(c, &two[0], 1, NULL, NULL, &r1,
		    &why), RM_OK);
		CU_ASSERT_EQUAL(roster_apply(r1, &two[1], 1, NULL, NULL, &r2,
		    &why), RM_OK);
		CU_ASSERT_EQUAL(roster_count(r2), roster_count(r));
		CU_ASSERT_PTR_NULL(roster_find(r2, "120104.aalater"));
		roster_free(r);
		roster_free(r1);
		roster_free(r2);
		roster_agency_fini(&two[0]);
		roster_agency_fini(&two[1]);
		crypto_key_free(k);
	}
	roster_free(c);
}

/* Key validity on fed_record_open: a rotation keeps the old key good
 * for what it signed before; a revocation bounds time and seq. */
static void
test_key_history(void)
{
	struct roster *c = charter(), *r;
	struct roster_agency e;
	struct agency_rec x;
	struct fx_rec a;
	struct fed_record fr;
	crypto_key *k1, *k2;
	crypto_signer *s1, *s2;
	rm_buf b = RM_BUF_INIT;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k1, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k2, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k1, &s1, &why), RM_OK);
	CU_ASSERT_EQUAL_FATAL(crypto_signer_from_key(k2, &s2, &why), RM_OK);
	/* rotated at T0 + 5 */
	agency_rec(&x, "120104.gas", "120104", 1);
	add_key(&x, k1, T0 - 1000, T0 + 5, RM_KEY_ROTATED, 0);
	add_key(&x, k2, T0 + 5, 0, RM_KEY_OPEN, 0);
	entry_of(&x, &e);
	CU_ASSERT_EQUAL_FATAL(roster_apply(c, &e, 1, NULL, NULL, &r, &why),
	    RM_OK);
	roster_agency_fini(&e);

	fx_record(&a, "120104.gas", 3, NULL, "120104", RM_GRADE_YELLOW);
	a.r.has_prev = true;                      /* issued T0 + 3 */
	CU_ASSERT_EQUAL(fed_record_seal(s1, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why), RM_OK);
	fed_record_fini(&fr);
	rm_buf_reset(&b);
	fx_record(&a, "120104.gas", 7, NULL, "120104", RM_GRADE_YELLOW);
	a.r.has_prev = true;                      /* issued T0 + 7: after */
	CU_ASSERT_EQUAL(fed_record_seal(s1, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_EUNAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "was rotated"));
	rm_buf_reset(&b);
	CU_ASSERT_EQUAL(fed_record_seal(s2, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why), RM_OK);
	fed_record_fini(&fr);
	rm_buf_reset(&b);
	/* the new key before its time */
	fx_record(&a, "120104.gas", 2, NULL, "120104", RM_GRADE_YELLOW);
	a.r.has_prev = true;
	CU_ASSERT_EQUAL(fed_record_seal(s2, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_EUNAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "valid from"));
	rm_buf_reset(&b);
	roster_free(r);

	/* revoked at T0 + 5 after seq 2: a backdated seq 3 is refused */
	agency_rec(&x, "120104.gas", "120104", 1);
	add_key(&x, k1, T0 - 1000, T0 + 5, RM_KEY_REVOKED, 2);
	add_key(&x, k2, T0 + 5, 0, RM_KEY_OPEN, 0);
	entry_of(&x, &e);
	CU_ASSERT_EQUAL_FATAL(roster_apply(c, &e, 1, NULL, NULL, &r, &why),
	    RM_OK);
	roster_agency_fini(&e);
	fx_record(&a, "120104.gas", 2, NULL, "120104", RM_GRADE_YELLOW);
	a.r.has_prev = true;
	CU_ASSERT_EQUAL(fed_record_seal(s1, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why), RM_OK);
	fed_record_fini(&fr);
	rm_buf_reset(&b);
	fx_record(&a, "120104.gas", 3, NULL, "120104", RM_GRADE_YELLOW);
	a.r.has_prev = true;
	CU_ASSERT_EQUAL(fed_record_seal(s1, &a.r, &b, NULL, &why), RM_OK);
	CU_ASSERT_EQUAL(fed_record_open(r, b.data, b.len, &fr, &why),
	    RM_EUNAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "after seq 2"));
	rm_buf_fini(&b);
	roster_free(r);
	roster_free(c);
	crypto_signer_free(s1);
	crypto_signer_free(s2);
	crypto_key_free(k1);
	crypto_key_free(k2);
}

static int walked, walk_refused;

static int
walk(void *arg, size_t index, const struct fed_record *fr, int err,
    const rm_why *why)
{
	(void)arg;
	(void)index;
	(void)why;
	walked++;
	if (err != RM_OK || fr == NULL)
		walk_refused++;
	return RM_OK;
}

/* A CBOR sequence: two agency records (the second a newer version), a
 * forged copy; then a truncated tail. */
static void
test_load_records(void)
{
	struct roster *c = charter(), *r;
	struct agency_rec x;
	rm_buf b = RM_BUF_INIT;
	rm_hash h1;
	crypto_key *k;
	size_t full;
	rm_why why;

	CU_ASSERT_EQUAL_FATAL(crypto_key_generate(&k, &why), RM_OK);
	agency_rec(&x, "120104.gas", "120104", 1);
	add_key(&x, k, 0, 0, RM_KEY_OPEN, 0);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[0], &x.r, &b,
	    &h1, &why), RM_OK);
	agency_rec(&x, "120104.gas", "120104", 2);
	x.r.ver = 2;
	x.r.prev = h1;
	x.r.has_supersedes = true;
	x.r.supersedes = h1;
	x.r.issued_ms += 10;
	x.a.max_grade = RM_GRADE_RED;
	add_key(&x, k, 0, 0, RM_KEY_OPEN, 0);
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[0], &x.r, &b,
	    NULL, &why), RM_OK);
	/* the same record signed by an agency that is no registrar */
	CU_ASSERT_EQUAL_FATAL(fed_record_seal(fx_fed()->signer[1], &x.r, &b,
	    NULL, &why), RM_OK);
	full = b.len;
	walked = walk_refused = 0;
	CU_ASSERT_EQUAL(roster_load_records(c, b.data, full, walk, NULL, NULL,
	    &r, &why), RM_OK);
	CU_ASSERT_EQUAL(walked, 3);
	CU_ASSERT_EQUAL(walk_refused, 1);
	CU_ASSERT_EQUAL_FATAL(roster_find(r, "120104.gas") != NULL, 1);
	CU_ASSERT_EQUAL(roster_find(r, "120104.gas")->max_grade, RM_GRADE_RED);
	CU_ASSERT_EQUAL(roster_find(r, "120104.gas")->record_ver, 2);
	roster_free(r);
	/* truncated mid-record */
	CU_ASSERT_EQUAL(roster_load_records(c, b.data, full - 7, NULL, NULL,
	    NULL, &r, &why), RM_EMALFORMED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why.msg, "record 2"));
	CU_ASSERT_PTR_NULL(r);
	rm_buf_fini(&b);
	crypto_key_free(k);
	roster_free(c);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "codec", test_codec },
		{ "scale_10000", test_scale },
		{ "skip_rules", test_skip_rules },
		{ "key_history", test_key_history },
		{ "load_records", test_load_records },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "federation.roster_records", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	CU_register_suites(suites);
}
