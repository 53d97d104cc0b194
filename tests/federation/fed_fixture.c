/*
 * fed_fixture.c -- test federations (root key, agency keys, signed
 * roster) and sample records. Trust only: links with rm_trust.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fed_fixture.h"

/* Two federations with the same agency ids but their own root and
 * agency keys: the second stands for a neighbouring federation (the other
 * side of a gateway). */
static struct fx_fed fx, fx2;
static pthread_once_t fx_once = PTHREAD_ONCE_INIT;

static void
die(const char *what, const rm_why *why)
{
	fprintf(stderr, "fixture: %s: %s\n", what, why ? why->msg : "");
	abort();
}

static void
fx_make_one(struct fx_fed *x, const char *name)
{
	rm_why why;

	x->name = name;
	if (crypto_key_generate(&x->root, &why) != RM_OK ||
	    crypto_signer_from_key(x->root, &x->root_signer, &why) != RM_OK)
		die("root key", &why);
	x->id[0] = FX_COMMAND;
	x->id[1] = FX_EMERGENCY;
	x->id[2] = FX_WATER;
	for (size_t i = 0; i < FX_N_AGENCIES; i++)
		if (crypto_key_generate(&x->key[i], &why) != RM_OK ||
		    crypto_signer_from_key(x->key[i], &x->signer[i], &why) !=
		    RM_OK)
			die("agency key", &why);
}

static void
fx_make(void)
{
	fx_make_one(&fx, FX_FED_NAME);
	fx_make_one(&fx2, FX_FED2_NAME);
}

const struct fx_fed *
fx_fed(void)
{
	pthread_once(&fx_once, fx_make);
	return &fx;
}

const struct fx_fed *
fx_fed2(void)
{
	pthread_once(&fx_once, fx_make);
	return &fx2;
}

size_t
fx_index(const char *id)
{
	fx_fed();
	for (size_t i = 0; i < FX_N_AGENCIES; i++)
		if (strcmp(fx.id[i], id) == 0)
			return i;
	abort();
}

void
fx_agency(size_t i, struct roster_agency *a)
{
	fx_agency_in(fx_fed(), i, a);
}

rm_kind_set fx_kinds_extra[FX_N_AGENCIES];

void
fx_agency_in(const struct fx_fed *x, size_t i, struct roster_agency *a)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->id, sizeof(a->id), "%s", x->id[i]);
	a->kinds = ROSTER_KIND_ALERT | fx_kinds_extra[i];
	a->key = x->key[i];
	switch (i) {
	case 0:
		strcpy(a->name_zh, "天津市城市运行管理指挥中心");
		strcpy(a->name_en, "Tianjin City Operations Command Centre");
		strcpy(a->role, "centre");
		a->max_grade = RM_GRADE_RED;
		a->n_areas = 1;
		strcpy(a->areas[0], "120000");
		break;
	case 1:
		strcpy(a->name_zh, "河西区应急管理局");
		strcpy(a->name_en, "Hexi District Emergency Management");
		strcpy(a->role, "district");
		a->max_grade = RM_GRADE_ORANGE;
		a->n_areas = 1;
		strcpy(a->areas[0], "120103");
		break;
	default:
		strcpy(a->name_zh, "南开区水务局");
		strcpy(a->name_en, "Nankai Water Affairs");
		strcpy(a->role, "department");
		a->max_grade = RM_GRADE_YELLOW;
		a->n_areas = 2;
		strcpy(a->areas[0], "120104");
		strcpy(a->areas[1], "120105");
		break;
	}
}

void
fx_roster_bytes(uint64_t version, rm_buf *out)
{
	fx_roster_bytes_in(fx_fed(), version, out);
}

void
fx_roster_bytes_in(const struct fx_fed *x, uint64_t version, rm_buf *out)
{
	struct roster *r;
	struct roster_agency a;
	rm_why why;

	if (roster_new(x->name, version, &r, &why) != RM_OK)
		die("roster_new", &why);
	for (size_t i = 0; i < FX_N_AGENCIES; i++) {
		fx_agency_in(x, i, &a);
		if (roster_put_agency(r, &a, &why) != RM_OK)
			die("roster_put_agency", &why);
	}
	if (roster_sign(r, x->root_signer, out, &why) != RM_OK)
		die("roster_sign", &why);
	roster_free(r);
}

struct roster *
fx_roster(uint64_t version)
{
	return fx_roster_in(fx_fed(), version);
}

struct roster *
fx_roster_in(const struct fx_fed *x, uint64_t version)
{
	rm_buf b = RM_BUF_INIT;
	struct roster *r;
	rm_why why;

	fx_roster_bytes_in(x, version, &b);
	if (roster_open(b.data, b.len, x->root, &r, &why) != RM_OK)
		die("roster_open", &why);
	rm_buf_fini(&b);
	return r;
}

void
fx_record(struct fx_rec *x, const char *origin, uint64_t seq,
    const rm_hash *prev, const char *area, rm_grade g)
{
	struct rm_record *r = &x->r;

	memset(x, 0, sizeof(*x));
	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = &x->a;
	snprintf(r->origin, sizeof(r->origin), "%s", origin);
	snprintf(r->object_id, sizeof(r->object_id), "obj-%llu",
	    (unsigned long long)seq);
	r->ver = 1;
	r->seq = seq;
	r->issued_ms = 1786000000000LL + (rm_utc_ms)seq;
	r->n_areas = 1;
	snprintf(r->areas[0], sizeof(r->areas[0]), "%s", area);
	if (prev != NULL) {
		r->has_prev = true;
		r->prev = *prev;
	}
	snprintf(x->ident, sizeof(x->ident), "%s-%llu", origin,
	    (unsigned long long)seq);
	x->t.lang = "zh-CN";
	x->t.event = "暴雨";
	x->t.headline = "暴雨预警";
	record_alert(r)->identifier = x->ident;
	record_alert(r)->status = RM_STATUS_EXERCISE;
	record_alert(r)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(r)->categories = RM_CAT_MET;
	record_alert(r)->urgency = RM_URGENCY_EXPECTED;
	record_alert(r)->severity = grade_cap_severity(g);
	record_alert(r)->certainty = RM_CERTAINTY_LIKELY;
	record_alert(r)->grade = g;
	record_alert(r)->effective_ms = r->issued_ms;
	record_alert(r)->n_texts = 1;
	record_alert(r)->texts = &x->t;
}

void
fx_seal(const struct fx_rec *x, rm_buf *out, rm_hash *hash)
{
	fx_seal_in(fx_fed(), x, out, hash);
}

void
fx_seal_in(const struct fx_fed *f, const struct fx_rec *x, rm_buf *out,
    rm_hash *hash)
{
	rm_why why;

	if (fed_record_seal(f->signer[fx_index(x->r.origin)], &x->r, out,
	    hash, &why) != RM_OK)
		die("fed_record_seal", &why);
}

