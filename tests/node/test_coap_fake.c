/*
 * test_coap_fake.c -- in-memory alert provider for the CoAP tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_coap_fake.h"

void
fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->mu, NULL);
	f->repeat = 1;
}

void
fake_fini(struct fake *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct fake_alert *a = f->v[i];
		for (size_t j = 0; j < record_alert(&a->rec)->n_texts; j++) {
			free(a->texts[j].event);
			free(a->texts[j].headline);
		}
		free(record_alert(&a->rec)->identifier);
		free(a->signed_bytes);
		free(a);
	}
	pthread_mutex_destroy(&f->mu);
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static void
add_text(struct fake_alert *a, const char *lang, const char *ev,
    const char *head)
{
	struct rm_alert_text *t = &a->texts[record_alert(&a->rec)->n_texts++];

	t->lang = (char *)lang;
	t->event = dup_or_null(ev);
	t->headline = dup_or_null(head);
}

struct fake_alert *
fake_add(struct fake *f, const struct fake_spec *s)
{
	struct fake_alert *a = calloc(1, sizeof(*a));
	struct rm_record *r = &a->rec;
	rm_buf b = RM_BUF_INIT;
	char id[160];

	r->schema_version = RM_SCHEMA_VERSION;
	r->kind = &rm_kind_alert;
	r->body = &a->alert;
	strcpy(r->origin, "120116.weather");
	snprintf(r->object_id, sizeof(r->object_id), "%s", s->oid);
	r->ver = 1;
	r->seq = 1;
	r->issued_ms = FAKE_NOW_MS - 3600000;
	r->expires_ms = s->expires_ms;
	for (size_t i = 0; i < 4 && s->areas[i] != NULL; i++)
		snprintf(r->areas[r->n_areas++], RM_AREA_CODE_MAX + 1, "%s",
		    s->areas[i]);
	snprintf(id, sizeof(id), "CN-TJ-%s", s->oid);
	record_alert(r)->identifier = strdup(id);
	record_alert(r)->status = s->status ? s->status : RM_STATUS_ACTUAL;
	record_alert(r)->msg_type = RM_MSGTYPE_ALERT;
	record_alert(r)->categories = RM_CAT_MET;
	record_alert(r)->urgency = RM_URGENCY_IMMEDIATE;
	record_alert(r)->severity = grade_cap_severity(s->grade);
	record_alert(r)->certainty = RM_CERTAINTY_LIKELY;
	record_alert(r)->grade = s->grade;
	record_alert(r)->effective_ms = r->issued_ms;
	record_alert(r)->texts = a->texts;
	if (s->zh_headline != NULL)
		add_text(a, "zh-CN", s->zh_event, s->zh_headline);
	if (s->en_headline != NULL)
		add_text(a, "en-US", s->en_event, s->en_headline);

	/* A stand-in hash and COSE_Sign1: 18([h'a10127', {}, oid, h'5151']) */
	for (size_t i = 0; i < RM_HASH_BYTES; i++)
		a->h.b[i] = (uint8_t)(s->oid[i % strlen(s->oid)] + i);
	if (s->bad_signed) {
		rm_buf_append(&b, "\xd2\x84\x40", 3);  /* truncated */
	} else {
		rm_cbor_put_tag(&b, 18);
		rm_cbor_put_array(&b, 4);
		rm_cbor_put_bytes(&b, "\xa1\x01\x27", 3);
		rm_cbor_put_map(&b, 0);
		rm_cbor_put_bytes(&b, s->oid, strlen(s->oid));
		rm_cbor_put_bytes(&b, "QQ", 2);
	}
	a->signed_bytes = rm_buf_steal(&b, &a->n_signed);

	pthread_mutex_lock(&f->mu);
	if (f->n < FAKE_MAX)
		f->v[f->n++] = a;
	pthread_mutex_unlock(&f->mu);
	return a;
}

static bool
fake_match(const struct rm_record *r, const char *area)
{
	if (area == NULL)
		return true;
	for (size_t i = 0; i < r->n_areas; i++)
		if (area_overlaps(area, r->areas[i]))
			return true;
	return false;
}

int
fake_alerts(void *arg, const char *area, rm_utc_ms now,
    alertcoap_each_fn each, void *ctx)
{
	struct fake *f = arg;
	int rv = 0;

	pthread_mutex_lock(&f->mu);
	f->calls++;
	if (f->fail != 0) {
		rv = f->fail;
		goto out;
	}
	for (size_t i = f->n; rv == 0 && i-- > 0;) {
		struct fake_alert *a = f->v[i];
		if (!record_in_force(&a->rec, now) ||
		    !fake_match(&a->rec, area))
			continue;
		for (unsigned k = 0; rv == 0 && k < f->repeat; k++)
			rv = each(ctx, &a->h, a->signed_bytes, a->n_signed,
			    &a->rec);
	}
out:
	pthread_mutex_unlock(&f->mu);
	return rv;
}

struct alertcoap_provider
fake_provider(struct fake *f)
{
	struct alertcoap_provider p = { fake_alerts, f };

	return p;
}
