/*
 * alert_kind.c -- kind "alert" in the kind registry: a graded warning,
 * the CAP 1.2 compatible core (schemas/alert.cddl; OASIS CAP 1.2 §3.2).
 * The codec is alert_enc.c / alert_dec.c, the rules validate.c; this
 * file is what the layers above see of an alert.
 */
#include <stdio.h>
#include <string.h>

#include "schemas/schemas_int.h"

static int
alert_encode(const void *body, rm_buf *out)
{
	return sch_alert_encode(body, out);
}

static int
alert_decode(rm_cbor_rd *rd, void *body, rm_why *why)
{
	return sch_alert_decode_rd(rd, body, why);
}

static int
alert_validate(const struct rm_record *rec, rm_why *why)
{
	const struct rm_alert *a = rec->body;
	int rv;

	if ((rv = sch_alert_validate(a, rec->expires_ms, why)) != RM_OK)
		return rv;
	return a->cap != NULL ? sch_alert_cap_agrees(rec, NULL, why) : RM_OK;
}

static void
alert_fini(void *body)
{
	sch_alert_fini(body);
}

/* An alert carrying its CAP message may hold district outlines. */
static size_t
alert_body_max(const struct rm_record *rec)
{
	const struct rm_alert *a = rec->body;

	return a->cap != NULL ? RM_RECORD_ANY_MAX : RM_RECORD_BODY_MAX;
}

static rm_grade
alert_grade(const struct rm_record *rec)
{
	return ((const struct rm_alert *)rec->body)->grade;
}

/* CAP 1.2 §3.2.1: an Alert or an Update is in force; a Cancel ends the
 * object; Ack and Error are not warnings. */
static bool
alert_in_force(const struct rm_record *rec)
{
	const struct rm_alert *a = rec->body;

	return a->msg_type == RM_MSGTYPE_ALERT ||
	    a->msg_type == RM_MSGTYPE_UPDATE;
}

static int
alert_index_keys(const struct rm_record *rec,
    int (*emit)(void *arg, const char *key), void *arg)
{
	const struct rm_alert *a = rec->body;
	char key[RM_INDEX_KEY_MAX + 1];

	snprintf(key, sizeof(key), "grade=%s", grade_name(a->grade));
	return emit(arg, key);
}

static void
alert_summary(const struct rm_record *rec, char *out, size_t len)
{
	const struct rm_alert *a = rec->body;
	const struct rm_alert_text *t = a->n_texts > 0 ? &a->texts[0] : NULL;

	snprintf(out, len, "%s %s %s: %s", grade_name(a->grade),
	    cap_msgtype_name(a->msg_type),
	    t != NULL && t->event != NULL ? t->event : "?",
	    t != NULL && t->headline != NULL ? t->headline : "");
}

const struct rm_kind_ops rm_kind_alert = {
	.name = "alert",
	.cddl = "alert.cddl",
	.body_size = sizeof(struct rm_alert),
	.body_max = alert_body_max,
	.encode = alert_encode,
	.decode = alert_decode,
	.validate = alert_validate,
	.fini = alert_fini,
	.grade = alert_grade,
	.recipients = NULL,
	.in_force = alert_in_force,
	.index_keys = alert_index_keys,
	.summary = alert_summary,
};
