/*
 * node_cap.c -- issuing from a CAP 1.2 message and reading alerts back
 * as CAP (docs/CAP.md "Issuing from CAP"):
 *
 *   the sender must be this node's agency (it signs: sender = origin);
 *   an Alert starts the object whose id is its identifier; an Update or
 *   a Cancel finds its object through its references (a referenced
 *   identifier of the same sender that names an object of it) and
 *   becomes that object's next version; the same message again (same
 *   sender and identifier, the same content) is the version already
 *   stored (nothing issued, nothing broadcast); an identifier the
 *   sender already used for another message is refused (CAP 1.2
 *   §3.2.1: the identifier is unique for its sender).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

#define CAP_WALK_MAX 1024   /* versions of one object searched */

/* The version of the own object oid (latest first, back through
 * supersedes) whose alert identifier is ident: *found, and its record
 * in *out (record_fini) and hash. */
static int
find_ident(struct node *n, const char *oid, const char *ident, bool *found,
    struct rm_record *out, rm_hash *h, rm_why *why)
{
	struct rm_record r;
	int rv;

	*found = false;
	if ((rv = store_latest(n->store, n->cfg.agency, oid, h)) ==
	    RM_ENOTFOUND)
		return RM_OK;
	if (rv != RM_OK)
		return rm_fail(why, rv, "cannot read object %s: %s", oid,
		    rm_strerror(rv));
	for (int k = 0; k < CAP_WALK_MAX; k++) {
		const struct rm_alert *a;

		if ((rv = service_record_read(n, h, &r, why)) != RM_OK)
			return rv;
		a = record_alert(&r);
		if (a != NULL && strcmp(a->identifier, ident) == 0) {
			*out = r;
			*found = true;
			return RM_OK;
		}
		if (!r.has_supersedes) {
			record_fini(&r);
			return RM_OK;
		}
		*h = r.supersedes;
		record_fini(&r);
	}
	return RM_OK;
}

/* Is the stored version's message the same as cap (same CBOR form)? */
static bool
same_message(const struct rm_record *stored, const struct cap_alert *cap)
{
	const struct rm_alert *a = record_alert(stored);
	rm_buf x = RM_BUF_INIT, y = RM_BUF_INIT;
	bool same;

	if (a == NULL || a->cap == NULL)
		return false;
	same = cap_model_encode(a->cap, &x) == RM_OK &&
	    cap_model_encode(cap, &y) == RM_OK && x.len == y.len &&
	    memcmp(x.data, y.data, x.len) == 0;
	rm_buf_fini(&x);
	rm_buf_fini(&y);
	return same;
}

/* The object an Update or Cancel follows: the first reference of the
 * same sender whose identifier is an object of this agency. */
static int
referenced_object(struct node *n, const struct cap_alert *cap,
    char oid[RM_OBJECT_ID_MAX + 1], rm_why *why)
{
	rm_hash h;
	int rv;

	for (size_t i = 0; i < cap->n_ref; i++) {
		const struct cap_ref *r = &cap->ref[i];

		if (strcmp(r->sender, cap->sender) != 0 ||
		    strlen(r->identifier) > RM_OBJECT_ID_MAX ||
		    !object_id_valid(r->identifier))
			continue;
		rv = store_latest(n->store, n->cfg.agency, r->identifier, &h);
		if (rv == RM_OK) {
			snprintf(oid, RM_OBJECT_ID_MAX + 1, "%s", r->identifier);
			return RM_OK;
		}
		if (rv != RM_ENOTFOUND)
			return rm_fail(why, rv, "cannot read object %s: %s",
			    r->identifier, rm_strerror(rv));
	}
	return rm_fail_at(why, RM_ENOTFOUND, "references", "%s references "
	    "no earlier message of %s held here (CAP 1.2 §3.2.1: an %s "
	    "references the alert it follows, sender,identifier,sent)",
	    cap_msgtype_name(cap->msg_type), cap->sender,
	    cap_msgtype_name(cap->msg_type));
}

static void
issued_from(const struct rm_record *r, const rm_hash *h,
    struct service_issued *out)
{
	memset(out, 0, sizeof(*out));
	out->hash = *h;
	out->seq = r->seq;
	out->ver = r->ver;
	out->kind = r->kind != NULL ? r->kind->name : NULL;
	snprintf(out->origin, sizeof(out->origin), "%s", r->origin);
	snprintf(out->object_id, sizeof(out->object_id), "%s", r->object_id);
}

/* One attempt: decide the object, deduplicate, issue. */
static int
issue_once(struct node *n, const struct cap_alert *cap,
    struct service_issued *out, bool *dup, rm_why *why)
{
	char oid[RM_OBJECT_ID_MAX + 1];
	struct rm_record seen, cur, draft;
	rm_hash h;
	bool found, exists;
	int rv;

	if (cap->msg_type == RM_MSGTYPE_ALERT)
		snprintf(oid, sizeof(oid), "%s", cap->identifier);
	else if ((rv = referenced_object(n, cap, oid, why)) != RM_OK)
		return rv;
	/* the same sender and identifier: this message again, or reuse;
	 * in the object named by the identifier, then in this one */
	found = false;
	rv = RM_OK;
	if (strcmp(oid, cap->identifier) != 0 &&
	    strlen(cap->identifier) <= RM_OBJECT_ID_MAX &&
	    object_id_valid(cap->identifier))
		rv = find_ident(n, cap->identifier, cap->identifier, &found,
		    &seen, &h, why);
	if (rv == RM_OK && !found)
		rv = find_ident(n, oid, cap->identifier, &found, &seen, &h,
		    why);
	if (rv != RM_OK)
		return rv;
	if (found) {
		bool same = same_message(&seen, cap);

		if (same) {
			issued_from(&seen, &h, out);
			*dup = true;
		}
		record_fini(&seen);
		return same ? RM_OK : rm_fail_at(why, RM_EEXIST, "identifier",
		    "identifier %s was already used by %s for another message "
		    "(CAP 1.2 §3.2.1: an identifier names one message of its "
		    "sender; an Update or Cancel carries a new one)",
		    cap->identifier, cap->sender);
	}
	memset(&cur, 0, sizeof(cur));
	if ((rv = node_issue_latest(n, oid, &exists, &h, &cur, why)) != RM_OK)
		return rv;
	rv = cap_to_record(cap, exists ? &cur : NULL, &draft, why);
	if (exists)
		record_fini(&cur);
	if (rv != RM_OK)
		return rv;
	snprintf(draft.object_id, sizeof(draft.object_id), "%s", oid);
	draft.issued_ms = rm_utc_now_ms();
	rv = service_alert_issue(n, &draft, true, out, why);
	record_fini(&draft);
	return rv;
}

int
service_alert_issue_cap(struct node *n, const struct cap_alert *cap,
    struct service_issued *out, bool *dup, rm_why *why)
{
	int rv;

	*dup = false;
	if (strcmp(cap->sender, n->cfg.agency) != 0)
		return rm_fail_at(why, RM_EUNAUTH, "sender", "the CAP sender "
		    "%.64s is not this node's agency %s: a message is signed "
		    "by its sender's agency (docs/CAP.md)", cap->sender,
		    n->cfg.agency);
	if (cap->msg_type != RM_MSGTYPE_ALERT &&
	    cap->msg_type != RM_MSGTYPE_UPDATE &&
	    cap->msg_type != RM_MSGTYPE_CANCEL)
		return rm_fail_at(why, RM_EBADVALUE, "msgType", "%s is not "
		    "issued: a node issues Alert, Update and Cancel",
		    cap_msgtype_name(cap->msg_type));
	if (cap->msg_type == RM_MSGTYPE_ALERT &&
	    (strlen(cap->identifier) > RM_OBJECT_ID_MAX ||
	    !object_id_valid(cap->identifier)))
		return rm_fail_at(why, RM_EBADVALUE, "identifier", "\"%.80s\" "
		    "cannot name the alert's object (%s)", cap->identifier,
		    NODE_OBJECT_ID_RULE);
	rv = issue_once(n, cap, out, dup, why);
	/* the same message arriving twice at once: the second finds the
	 * first once it is stored */
	if (rv == RM_EBUSY && why != NULL && why->field[0] != '\0')
		rv = issue_once(n, cap, out, dup, why);
	return rv;
}

int
service_alert_read(struct node *n, const char *origin, const char *oid,
    struct rm_record *out, rm_hash *hash, rm_why *why)
{
	int rv;

	if (strlen(oid) > RM_OBJECT_ID_MAX || !object_id_valid(oid))
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "\"%.80s\" is "
		    "not a valid object id (%s)", oid, NODE_OBJECT_ID_RULE);
	if ((rv = store_latest(n->store, origin, oid, hash)) == RM_ENOTFOUND)
		return rm_fail_at(why, rv, "object_id", "%s has no object "
		    "\"%s\"", origin, oid);
	if (rv != RM_OK)
		return rm_fail(why, rv, "cannot read the object: %s",
		    rm_strerror(rv));
	if ((rv = service_record_read(n, hash, out, why)) != RM_OK)
		return rv;
	if (out->body == NULL)
		(void)service_record_reveal(n, out, NULL);
	if (record_alert(out) == NULL) {
		record_fini(out);
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "object %s of "
		    "%s is not an alert readable here", oid, origin);
	}
	return RM_OK;
}
