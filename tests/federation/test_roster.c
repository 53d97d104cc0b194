/*
 * test_roster.c -- roster build, sign, open; tampering and bad entries;
 * authorisation rules.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fed_fixture.h"
#include "rm_test.h"

static void
test_build_sign_open(void)
{
	rm_buf b = RM_BUF_INIT, again = RM_BUF_INIT;
	struct roster *r;
	const struct roster_agency *a;
	const uint8_t *sb;
	size_t sn;
	rm_hash kid;
	rm_why why;

	fx_roster_bytes(7, &b);
	CU_ASSERT_EQUAL_FATAL(roster_open(b.data, b.len, fx_fed()->root, &r,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(roster_version(r), 7);
	CU_ASSERT_STRING_EQUAL(roster_federation(r), FX_FED_NAME);
	CU_ASSERT(roster_issued(r) > 1700000000000LL);
	CU_ASSERT_EQUAL(roster_count(r), FX_N_AGENCIES);
	/* sorted by id */
	CU_ASSERT_STRING_EQUAL(roster_at(r, 0)->id, FX_COMMAND);
	CU_ASSERT_STRING_EQUAL(roster_at(r, 1)->id, FX_EMERGENCY);
	CU_ASSERT_STRING_EQUAL(roster_at(r, 2)->id, FX_WATER);
	CU_ASSERT_PTR_NULL(roster_at(r, 3));
	a = roster_find(r, FX_WATER);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a->name_zh, "南开区水务局");
	CU_ASSERT_STRING_EQUAL(a->role, "department");
	CU_ASSERT_EQUAL(a->max_grade, RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(a->kinds, ROSTER_KIND_ALERT);
	CU_ASSERT_EQUAL(a->n_areas, 2);
	CU_ASSERT_STRING_EQUAL(a->areas[1], "120105");
	crypto_key_kid(fx_fed()->key[2], &kid);
	CU_ASSERT(memcmp(a->kid.b, kid.b, RM_HASH_BYTES) == 0);
	CU_ASSERT_PTR_EQUAL(roster_find_kid(r, &kid, NULL), a);
	CU_ASSERT_PTR_NULL(roster_find(r, "120105.nobody"));
	/* It carries its signed form, byte for byte. */
	sb = roster_signed(r, &sn);
	CU_ASSERT_EQUAL(sn, b.len);
	CU_ASSERT(sb != NULL && memcmp(sb, b.data, b.len) == 0);
	/* References. */
	CU_ASSERT_PTR_EQUAL(roster_ref(r), r);
	roster_free(r);
	CU_ASSERT_EQUAL(roster_version(r), 7);
	roster_free(r);
	rm_buf_fini(&b);
	rm_buf_fini(&again);
}

static void
test_tampered_and_wrong_root(void)
{
	rm_buf b = RM_BUF_INIT;
	struct roster *r = NULL;
	crypto_key *other;
	rm_why why;
	size_t i;

	fx_roster_bytes(3, &b);
	/* Flip a byte of the federation name inside the payload. */
	for (i = 0; i + 4 < b.len; i++)
		if (memcmp(b.data + i, "tian", 4) == 0)
			break;
	CU_ASSERT_FATAL(i + 4 < b.len);
	b.data[i] = 'T';
	CU_ASSERT_EQUAL(roster_open(b.data, b.len, fx_fed()->root, &r, &why),
	    RM_EBADSIG);
	CU_ASSERT_PTR_NULL(r);
	b.data[i] = 't';
	/* Flip a signature byte. */
	b.data[b.len - 1] ^= 1;
	CU_ASSERT_EQUAL(roster_open(b.data, b.len, fx_fed()->root, &r, &why),
	    RM_EBADSIG);
	b.data[b.len - 1] ^= 1;
	/* Another root. */
	crypto_key_generate(&other, NULL);
	CU_ASSERT_EQUAL(roster_open(b.data, b.len, other, &r, &why),
	    RM_EBADSIG);
	CU_ASSERT_PTR_NULL(r);
	crypto_key_free(other);
	/* Garbage and oversize. */
	CU_ASSERT_EQUAL(roster_open((const uint8_t *)"\x01\x02", 2,
	    fx_fed()->root, &r, &why), RM_EMALFORMED);
	CU_ASSERT_EQUAL(roster_open(b.data, ROSTER_MAX_BYTES + 1,
	    fx_fed()->root, &r, &why), RM_ETOOBIG);
	/* Still fine untouched. */
	CU_ASSERT_EQUAL(roster_open(b.data, b.len, fx_fed()->root, &r, &why),
	    RM_OK);
	roster_free(r);
	rm_buf_fini(&b);
}

static void
test_put_rejects(void)
{
	struct roster *r;
	struct roster_agency a;
	rm_why why;

	CU_ASSERT_EQUAL(roster_new("", 1, &r, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL_FATAL(roster_new(FX_FED_NAME, 1, &r, &why), RM_OK);

	fx_agency(0, &a);
	strcpy(a.id, "command");                /* no area code */
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "agency id") != NULL);
	fx_agency(0, &a);
	strcpy(a.areas[0], "12000");            /* 5 digits */
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	CU_ASSERT(strstr(why.msg, "areas[0]") != NULL);
	fx_agency(0, &a);
	a.max_grade = 9;
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	fx_agency(0, &a);
	a.kinds = 1u << (RM_KINDS_MAX - 1);     /* unknown kind */
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	fx_agency(0, &a);
	strcpy(a.role, "king");
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	fx_agency(0, &a);
	a.n_areas = 0;
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	fx_agency(0, &a);
	a.key = NULL;
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	CU_ASSERT_EQUAL(roster_count(r), 0);

	/* Same key for two agencies. */
	fx_agency(0, &a);
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_OK);
	fx_agency(1, &a);
	a.key = fx_fed()->key[0];
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_EBADVALUE);
	/* Replace by id. */
	fx_agency(0, &a);
	a.max_grade = RM_GRADE_BLUE;
	CU_ASSERT_EQUAL(roster_put_agency(r, &a, &why), RM_OK);
	CU_ASSERT_EQUAL(roster_count(r), 1);
	CU_ASSERT_EQUAL(roster_find(r, FX_COMMAND)->max_grade, RM_GRADE_BLUE);
	roster_free(r);
}

/* Build a signed roster whose body is given raw (to test the decoder). */
static void
sign_raw(const rm_buf *body, rm_buf *out)
{
	rm_buf_reset(out);
	CU_ASSERT_EQUAL_FATAL(cose_sign1_sign(fx_fed()->root_signer, body->data,
	    body->len, out, NULL), RM_OK);
}

static void
put_agency_raw(rm_buf *b, const char *id, const char *area,
    const char *grade, const char *kind, crypto_key *k, bool extra)
{
	rm_buf spki = RM_BUF_INIT;

	crypto_key_spki(k, &spki);
	rm_cbor_put_map(b, extra ? 9 : 8);
	rm_cbor_put_cstr(b, "id");
	rm_cbor_put_cstr(b, id);
	rm_cbor_put_cstr(b, "key");
	rm_cbor_put_bytes(b, spki.data, spki.len);
	rm_cbor_put_cstr(b, "role");
	rm_cbor_put_cstr(b, "district");
	rm_cbor_put_cstr(b, "areas");
	rm_cbor_put_array(b, 1);
	rm_cbor_put_cstr(b, area);
	rm_cbor_put_cstr(b, "kinds");
	rm_cbor_put_array(b, 1);
	rm_cbor_put_cstr(b, kind);
	rm_cbor_put_cstr(b, "name_en");
	rm_cbor_put_cstr(b, "E");
	rm_cbor_put_cstr(b, "name_zh");
	rm_cbor_put_cstr(b, "中");
	if (extra) {
		rm_cbor_put_cstr(b, "endpoint");
		rm_cbor_put_cstr(b, "x");
	}
	rm_cbor_put_cstr(b, "max_grade");
	rm_cbor_put_cstr(b, grade);
	rm_buf_fini(&spki);
}

struct raw_case {
	const char *id1, *id2, *area, *grade, *kind;
	bool extra;
	int want;
};

static void
test_open_bad_entries(void)
{
	static const struct raw_case cases[] = {
		{ "120103.a", "120104.b", "120103", "red", "alert", false,
		  RM_OK },
		{ "120103.a", "120104.b", "1201x3", "red", "alert", false,
		  RM_EBADVALUE },
		{ "120103.a", "120104.b", "120103", "purple", "alert", false,
		  RM_EBADVALUE },
		{ "120103.a", "120104.b", "120103", "red", "gossip", false,
		  RM_EBADVALUE },
		{ "120103.A", "120104.b", "120103", "red", "alert", false,
		  RM_EBADVALUE },
		{ "120104.b", "120103.a", "120103", "red", "alert", false,
		  RM_ENONCANON },
		{ "120103.a", "120103.a", "120103", "red", "alert", false,
		  RM_EBADVALUE },
		{ "120103.a", "120104.b", "120103", "red", "alert", true,
		  RM_EUNKNOWN },
	};
	crypto_key *k2;
	rm_buf body = RM_BUF_INIT, sig = RM_BUF_INIT;
	struct roster *r;
	rm_why why;

	crypto_key_generate(&k2, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct raw_case *c = &cases[i];

		rm_buf_reset(&body);
		rm_cbor_put_map(&body, 5);
		rm_cbor_put_cstr(&body, "v");
		rm_cbor_put_uint(&body, 1);
		rm_cbor_put_cstr(&body, "issued");
		rm_cbor_put_uint(&body, 1786000000000ULL);
		rm_cbor_put_cstr(&body, "version");
		rm_cbor_put_uint(&body, 2);
		rm_cbor_put_cstr(&body, "agencies");
		rm_cbor_put_array(&body, 2);
		put_agency_raw(&body, c->id1, c->area, c->grade, c->kind,
		    fx_fed()->key[0], c->extra);
		put_agency_raw(&body, c->id2, "120104", "red", "alert", k2,
		    false);
		rm_cbor_put_cstr(&body, "federation");
		rm_cbor_put_cstr(&body, "x");
		sign_raw(&body, &sig);
		r = NULL;
		why.msg[0] = '\0';
		CU_ASSERT_EQUAL(roster_open(sig.data, sig.len, fx_fed()->root,
		    &r, &why), c->want);
		if (c->want == RM_OK) {
			CU_ASSERT_PTR_NOT_NULL(r);
			CU_ASSERT_EQUAL(roster_count(r), 2);
			roster_free(r);
		} else {
			CU_ASSERT_PTR_NULL(r);
			CU_ASSERT(why.msg[0] != '\0');
		}
	}
	/* Unknown format version and a missing field. */
	rm_buf_reset(&body);
	rm_cbor_put_map(&body, 1);
	rm_cbor_put_cstr(&body, "v");
	rm_cbor_put_uint(&body, 2);
	sign_raw(&body, &sig);
	CU_ASSERT_EQUAL(roster_open(sig.data, sig.len, fx_fed()->root, &r,
	    &why), RM_EUNKNOWN);
	rm_buf_reset(&body);
	rm_cbor_put_map(&body, 1);
	rm_cbor_put_cstr(&body, "v");
	rm_cbor_put_uint(&body, 1);
	sign_raw(&body, &sig);
	CU_ASSERT_EQUAL(roster_open(sig.data, sig.len, fx_fed()->root, &r,
	    &why), RM_EMISSING);
	CU_ASSERT(strstr(why.msg, "issued") != NULL);
	crypto_key_free(k2);
	rm_buf_fini(&body);
	rm_buf_fini(&sig);
}

static void
test_authorise(void)
{
	struct roster *r = fx_roster(1);
	const struct roster_agency *w = roster_find(r, FX_WATER);
	struct fx_rec x;
	rm_why why;

	fx_record(&x, FX_WATER, 1, NULL, "120104", RM_GRADE_YELLOW);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_OK);
	fx_record(&x, FX_WATER, 1, NULL, "120105001", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_OK);
	/* area outside the prefixes */
	fx_record(&x, FX_WATER, 1, NULL, "120103", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "120103") != NULL);
	/* a whole-city area is not inside a district prefix */
	fx_record(&x, FX_WATER, 1, NULL, "120000", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_EUNAUTH);
	/* second area outside */
	fx_record(&x, FX_WATER, 1, NULL, "120104", RM_GRADE_BLUE);
	x.r.n_areas = 2;
	strcpy(x.r.areas[1], "110000");
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "areas[1]") != NULL);
	/* grade above max */
	fx_record(&x, FX_WATER, 1, NULL, "120104", RM_GRADE_ORANGE);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "grade") != NULL);
	/* origin mismatch */
	fx_record(&x, FX_EMERGENCY, 1, NULL, "120104", RM_GRADE_BLUE);
	CU_ASSERT_EQUAL(roster_authorise(w, &x.r, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "origin") != NULL);
	/* kind not allowed */
	{
		struct roster_agency a = *w;

		a.kinds = 1u << 5;
		fx_record(&x, FX_WATER, 1, NULL, "120104", RM_GRADE_BLUE);
		CU_ASSERT_EQUAL(roster_authorise(&a, &x.r, &why), RM_EUNAUTH);
		CU_ASSERT(strstr(why.msg, "kind") != NULL);
	}
	/* the centre may publish red anywhere in the city */
	fx_record(&x, FX_COMMAND, 1, NULL, "120116001", RM_GRADE_RED);
	CU_ASSERT_EQUAL(roster_authorise(roster_find(r, FX_COMMAND), &x.r,
	    &why), RM_OK);
	roster_free(r);
}

/* kind fork_resolution has its own rule (rm_kind_ops.authorise): the
 * forked origin itself, whatever its kinds, or a registrar. */
static void
test_authorise_fork_resolution(void)
{
	struct roster *r = fx_roster(1);
	struct roster_agency w = *roster_find(r, FX_WATER);
	struct roster_agency e = *roster_find(r, FX_EMERGENCY);
	struct rm_fork_ref ref;
	struct rm_record rec;
	rm_why why;

	memset(&rec, 0, sizeof(rec));
	memset(&ref, 0, sizeof(ref));
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_fork_resolution;
	rec.body = &ref;
	strcpy(rec.origin, FX_WATER);
	strcpy(rec.object_id, "fork:" FX_WATER ":2");
	rec.ver = 1;
	rec.seq = 5;
	rec.has_prev = true;
	rec.n_areas = 1;
	strcpy(rec.areas[0], "120104");
	strcpy(ref.origin, FX_WATER);
	ref.seq = 2;
	CU_ASSERT_EQUAL(record_validate(&rec, &why), RM_OK);
	/* its own fork: allowed though its kinds are only "alert" */
	CU_ASSERT(!roster_is_registrar(&w));
	CU_ASSERT_EQUAL(roster_authorise(&w, &rec, &why), RM_OK);
	/* another agency's fork: not unless a registrar */
	strcpy(rec.origin, FX_EMERGENCY);
	strcpy(rec.areas[0], "120103");
	CU_ASSERT_EQUAL(roster_authorise(&e, &rec, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "registrar") != NULL);
	e.kinds |= (rm_kind_set)1u << kind_index(&rm_kind_agency);
	CU_ASSERT(roster_is_registrar(&e));
	CU_ASSERT_EQUAL(roster_authorise(&e, &rec, &why), RM_OK);
	/* the area rule still applies */
	strcpy(rec.areas[0], "120104");
	CU_ASSERT_EQUAL(roster_authorise(&e, &rec, &why), RM_EUNAUTH);
	CU_ASSERT(!roster_is_registrar(NULL));
	roster_free(r);
}

static void
test_load_file(void)
{
	char path[] = "/tmp/rm_roster_XXXXXX";
	rm_buf b = RM_BUF_INIT;
	struct roster *r;
	rm_why why;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	fx_roster_bytes(4, &b);
	CU_ASSERT_EQUAL_FATAL(rm_file_write_atomic(path, b.data, b.len, 0600,
	    &why), RM_OK);
	CU_ASSERT_EQUAL(roster_load(path, fx_fed()->root, &r, &why), RM_OK);
	CU_ASSERT_EQUAL(roster_version(r), 4);
	roster_free(r);
	unlink(path);
	CU_ASSERT_EQUAL(roster_load(path, fx_fed()->root, &r, &why), RM_EIO);
	rm_buf_fini(&b);
}

/* An escalation is covered by the roster permission for "task"
 * (rm_kind_ops.roster_kind): an agency without it is refused with a
 * reason naming that kind; an ack needs no permission (its own rule). */
static void
test_authorise_escalation(void)
{
	struct roster *r = fx_roster(1);
	struct roster_agency w = *roster_find(r, FX_WATER);
	struct rm_escalation e;
	struct rm_ack a;
	struct rm_record rec;
	rm_why why;

	memset(&e, 0, sizeof(e));
	memset(&rec, 0, sizeof(rec));
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_escalation;
	rec.body = &e;
	snprintf(rec.origin, sizeof(rec.origin), FX_WATER);
	snprintf(rec.object_id, sizeof(rec.object_id), "esc:t1");
	rec.ver = rec.seq = 1;
	rec.issued_ms = 1786000000000LL;
	rec.n_areas = 1;
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "120104");
	snprintf(e.task.origin, sizeof(e.task.origin), FX_WATER);
	snprintf(e.task.oid, sizeof(e.task.oid), "t1");
	snprintf(e.lead, sizeof(e.lead), FX_EMERGENCY);
	e.n_pending = 1;
	snprintf(e.pending[0], sizeof(e.pending[0]), FX_EMERGENCY);
	e.deadline_ms = 1786000000000LL;
	CU_ASSERT_EQUAL_FATAL(record_validate(&rec, &why), RM_OK);
	w.kinds = ROSTER_KIND_ALERT;
	CU_ASSERT_EQUAL(roster_authorise(&w, &rec, &why), RM_EUNAUTH);
	CU_ASSERT(strstr(why.msg, "needs kind \"task\"") != NULL);
	CU_ASSERT(strstr(why.msg, "escalation") != NULL);
	w.kinds |= (rm_kind_set)1u << kind_index(&rm_kind_task);
	CU_ASSERT_EQUAL(roster_authorise(&w, &rec, &why), RM_OK);
	/* an ack: any roster agency, whatever its kinds */
	memset(&a, 0, sizeof(a));
	rec.kind = &rm_kind_ack;
	rec.body = &a;
	snprintf(a.task.origin, sizeof(a.task.origin), FX_EMERGENCY);
	snprintf(a.task.oid, sizeof(a.task.oid), "t1");
	snprintf(rec.object_id, sizeof(rec.object_id), "ack:%s:t1",
	    FX_EMERGENCY);
	a.state = RM_ACK_RECEIVED;
	CU_ASSERT_EQUAL_FATAL(record_validate(&rec, &why), RM_OK);
	w.kinds = ROSTER_KIND_ALERT;
	CU_ASSERT_EQUAL(roster_authorise(&w, &rec, &why), RM_OK);
	/* but its area is still the roster's */
	snprintf(rec.areas[0], sizeof(rec.areas[0]), "120103");
	CU_ASSERT_EQUAL(roster_authorise(&w, &rec, &why), RM_EUNAUTH);
	roster_free(r);
}

void
rm_test_register(void)
{
	static CU_TestInfo tests[] = {
		{ "build_sign_open", test_build_sign_open },
		{ "tampered_and_wrong_root", test_tampered_and_wrong_root },
		{ "put_rejects", test_put_rejects },
		{ "open_bad_entries", test_open_bad_entries },
		{ "authorise", test_authorise },
	{ "authorise_fork_resolution", test_authorise_fork_resolution },
	{ "authorise_escalation", test_authorise_escalation },
		{ "load_file", test_load_file },
		CU_TEST_INFO_NULL,
	};
	RM_SUITE("federation.roster", tests);
}
