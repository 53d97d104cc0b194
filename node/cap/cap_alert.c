/*
 * cap_alert.c -- the <alert> element (CAP 1.2 §3.2.1): its sequence,
 * identifier and sender, status, msgType, scope with restriction and
 * addresses, codes, references, and its <info> blocks (cap_info.c).
 */
#include <stdio.h>
#include <string.h>

#include "node/cap/cap_int.h"

enum { A_ID, A_SENDER, A_SENT, A_STATUS, A_MSGTYPE, A_SOURCE, A_SCOPE,
	A_RESTRICTION, A_ADDRESSES, A_CODE, A_NOTE, A_REFS, A_INCIDENTS,
	A_INFO, A_COUNT };

static const struct cap_elem alert_seq[A_COUNT] = {
	{ "identifier", 1, 1 }, { "sender", 1, 1 }, { "sent", 1, 1 },
	{ "status", 1, 1 }, { "msgType", 1, 1 }, { "source", 0, 1 },
	{ "scope", 1, 1 }, { "restriction", 0, 1 }, { "addresses", 0, 1 },
	{ "code", 0, 0 }, { "note", 0, 1 }, { "references", 0, 1 },
	{ "incidents", 0, 1 }, { "info", 0, 0 },
};

/* The text of a one-element slot, with the element on the path for
 * later refusals of its value: *old restores it. */
static int
value(struct cap_ctx *c, struct cap_slot *s, const char *name,
    char **out, size_t *old)
{
	*old = cap_push(c, name, -1);
	return cap_text(c, s->first, out);
}

static int
ident(struct cap_ctx *c, struct cap_slot *s, const char *name,
    char **out)
{
	size_t old;
	int rv;

	if ((rv = value(c, s, name, out, &old)) == RM_OK && !cap_ident_ok(*out))
		rv = cap_fail(c, RM_EBADVALUE, "\"%.60s\": empty, or holds "
		    "white space, ',', '<' or '&' (CAP 1.2 §3.2.1)", *out);
	cap_pop(c, old);
	return rv;
}

static int
enums(struct cap_ctx *c, struct cap_slot *slots)
{
	struct cap_alert *a = c->a;
	size_t old;
	char *s;
	int rv;

	if ((rv = value(c, &slots[A_STATUS], "status", &s, &old)) != RM_OK ||
	    (rv = cap_status_parse(s, &a->status) != RM_OK ? cap_fail(c,
	    RM_EBADVALUE, "\"%.40s\" is not one of Actual, Exercise, System, "
	    "Test, Draft (CAP 1.2 §3.2.1, exact case)", s) : RM_OK) != RM_OK)
		goto out;
	cap_pop(c, old);
	if ((rv = value(c, &slots[A_MSGTYPE], "msgType", &s, &old)) != RM_OK ||
	    (rv = cap_msgtype_parse(s, &a->msg_type) != RM_OK ? cap_fail(c,
	    RM_EBADVALUE, "\"%.40s\" is not one of Alert, Update, Cancel, "
	    "Ack, Error (CAP 1.2 §3.2.1, exact case)", s) : RM_OK) != RM_OK)
		goto out;
	cap_pop(c, old);
	if ((rv = value(c, &slots[A_SCOPE], "scope", &s, &old)) != RM_OK)
		goto out;
	for (a->scope = CAP_SCOPE_PUBLIC; cap_scope_name(a->scope) != NULL &&
	    strcmp(cap_scope_name(a->scope), s) != 0; a->scope++)
		;
	if (cap_scope_name(a->scope) == NULL)
		rv = cap_fail(c, RM_EBADVALUE, "\"%.40s\" is not one of Public, "
		    "Restricted, Private (CAP 1.2 §3.2.1, exact case)", s);
out:
	cap_pop(c, old);
	return rv;
}

/* restriction only with Restricted; addresses required with Private,
 * allowed with Restricted, refused with Public. */
static int
scope_rules(struct cap_ctx *c)
{
	const struct cap_alert *a = c->a;

	if (a->scope == CAP_SCOPE_RESTRICTED && a->restriction == NULL)
		return cap_fail_in(c, "restriction", RM_EMISSING, "required "
		    "with scope Restricted (CAP 1.2 §3.2.1)");
	if (a->scope != CAP_SCOPE_RESTRICTED && a->restriction != NULL)
		return cap_fail_in(c, "restriction", RM_EBADVALUE, "only with "
		    "scope Restricted (CAP 1.2 §3.2.1), scope is %s",
		    cap_scope_name(a->scope));
	if (a->scope == CAP_SCOPE_PRIVATE && a->addresses == NULL)
		return cap_fail_in(c, "addresses", RM_EMISSING, "required "
		    "with scope Private (CAP 1.2 §3.2.1)");
	if (a->scope == CAP_SCOPE_PUBLIC && a->addresses != NULL)
		return cap_fail_in(c, "addresses", RM_EBADVALUE, "only with "
		    "scope Private or Restricted (CAP 1.2 §3.2.1), scope is "
		    "Public");
	return RM_OK;
}

/* One "sender,identifier,sent" of references (the path names it). */
static int
one_ref(struct cap_ctx *c, char *tok, size_t i, struct cap_ref *r)
{
	char *c1 = strchr(tok, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
	const struct cap_alert *a = c->a;
	int rv;

	if (c2 == NULL || strchr(c2 + 1, ',') != NULL)
		return cap_fail(c, RM_EBADVALUE, "entry %zu \"%.60s\" is not "
		    "sender,identifier,sent (CAP 1.2 §3.2.1)", i, tok);
	*c1 = *c2 = '\0';
	r->sender = tok;
	r->identifier = c1 + 1;
	if (!cap_ident_ok(r->sender) || !cap_ident_ok(r->identifier))
		return cap_fail(c, RM_EBADVALUE, "entry %zu: sender and "
		    "identifier must be non-empty without '<' or '&' (CAP 1.2 "
		    "§3.2.1)", i);
	if ((rv = cap_time_parse(c, c2 + 1, &r->sent)) != RM_OK)
		return rv;
	if (strcmp(r->sender, a->sender) == 0 &&
	    strcmp(r->identifier, a->identifier) == 0)
		return cap_fail(c, RM_EBADVALUE, "entry %zu references this "
		    "alert itself (an Update or Cancel carries a new "
		    "identifier, CAP 1.2 §3.2.1)", i);
	if (r->sent.at_ms > a->sent.at_ms)
		return cap_fail(c, RM_EBADVALUE, "entry %zu references a "
		    "message sent after this one (CAP 1.2 §3.2.1: earlier "
		    "messages)", i);
	return RM_OK;
}

static int
references(struct cap_ctx *c, struct cap_slot *s)
{
	struct cap_alert *a = c->a;
	size_t old, n = 0;
	char *text, *tok, *save = NULL;
	int rv;

	if (s->n == 0) {
		if (a->msg_type == RM_MSGTYPE_UPDATE ||
		    a->msg_type == RM_MSGTYPE_CANCEL)
			return cap_fail_in(c, "references", RM_EMISSING,
			    "required with msgType %s (CAP 1.2 §3.2.1: the "
			    "earlier messages it updates or cancels)",
			    cap_msgtype_name(a->msg_type));
		return RM_OK;
	}
	if ((rv = value(c, s, "references", &text, &old)) != RM_OK)
		goto out;
	for (const char *p = text; *p; p++)
		if (strchr(" \t\r\n", *p) && p[1] && !strchr(" \t\r\n", p[1]))
			n++;
	if ((a->ref = cap_alloc(a, n + 1, sizeof(*a->ref))) == NULL) {
		rv = cap_fail(c, RM_ENOMEM, "out of memory");
		goto out;
	}
	for (tok = strtok_r(text, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save)) {
		if ((rv = one_ref(c, tok, a->n_ref, &a->ref[a->n_ref])) !=
		    RM_OK)
			goto out;
		a->n_ref++;
	}
	if (a->n_ref == 0)
		rv = cap_fail(c, RM_EBADVALUE, "empty (CAP 1.2 §3.2.1: "
		    "sender,identifier,sent entries separated by spaces)");
out:
	cap_pop(c, old);
	return rv;
}

static int
texts(struct cap_ctx *c, struct cap_slot *slots)
{
	struct cap_alert *a = c->a;
	size_t old;
	int rv;

	if ((rv = cap_opt_text(c, &slots[A_SOURCE], "source",
	    &a->source)) != RM_OK ||
	    (rv = cap_opt_text(c, &slots[A_RESTRICTION], "restriction",
	    &a->restriction)) != RM_OK ||
	    (rv = cap_opt_text(c, &slots[A_ADDRESSES], "addresses",
	    &a->addresses)) != RM_OK ||
	    (rv = cap_opt_text(c, &slots[A_NOTE], "note", &a->note)) != RM_OK ||
	    (rv = cap_opt_text(c, &slots[A_INCIDENTS], "incidents",
	    &a->incidents)) != RM_OK)
		return rv;
	if ((a->code = cap_alloc(a, slots[A_CODE].n, sizeof(char *))) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < slots[A_CODE].n; i++) {
		old = cap_push(c, "code", (long)i);
		rv = cap_text(c, cap_slot_at(&slots[A_CODE], i), &a->code[i]);
		cap_pop(c, old);
		if (rv != RM_OK)
			return rv;
		a->n_code++;
	}
	return RM_OK;
}

int
cap_parse_alert(struct cap_ctx *c, xmlNode *root)
{
	struct cap_slot slots[A_COUNT];
	struct cap_alert *a = c->a;
	size_t old;
	char *s;
	int rv;

	if ((rv = cap_seq(c, root, alert_seq, A_COUNT, "§3.2.1", slots)) !=
	    RM_OK ||
	    (rv = ident(c, &slots[A_ID], "identifier", &a->identifier)) !=
	    RM_OK ||
	    (rv = ident(c, &slots[A_SENDER], "sender", &a->sender)) != RM_OK)
		return rv;
	if ((rv = value(c, &slots[A_SENT], "sent", &s, &old)) == RM_OK)
		rv = cap_time_parse(c, s, &a->sent);
	cap_pop(c, old);
	if (rv != RM_OK || (rv = enums(c, slots)) != RM_OK ||
	    (rv = texts(c, slots)) != RM_OK ||
	    (rv = scope_rules(c)) != RM_OK ||
	    (rv = references(c, &slots[A_REFS])) != RM_OK)
		return rv;
	if ((a->info = cap_alloc(a, slots[A_INFO].n, sizeof(*a->info))) ==
	    NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < slots[A_INFO].n; i++) {
		old = cap_push(c, "info", (long)i);
		rv = cap_parse_info(c, cap_slot_at(&slots[A_INFO], i),
		    &a->info[i]);
		cap_pop(c, old);
		if (rv != RM_OK)
			return rv;
		a->n_info++;
	}
	return RM_OK;
}
