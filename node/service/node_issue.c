/*
 * node_issue.c -- the issue path: an alert draft (or a cancellation) of
 * the node's own agency becomes a signed record in the own log.
 *
 *   draft (struct rm_record) -> the object's latest version
 *   is read and the msg_type rules decide (docs/API.md) -> roster_authorise
 *   against the own roster entry -> store_issue, which numbers the record
 *   (seq, prev, ver, supersedes) inside the write transaction and calls
 *   seal(): seal refuses (RM_EBUSY, nothing stored) if the version
 *   the store found is not the one the decision was based on, so two
 *   concurrent requests can never both supersede one version (optimistic
 *   concurrency); otherwise it signs with the agency key
 *   (fed_record_seal). store_issue returns after the commit; the store
 *   observer then pushes the record to peers and CoAP observers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

/* store_seal_fn: on the writer thread, inside the write transaction,
 * after the store set rec->ver and rec->supersedes from the current
 * latest version of the object. */
static int
seal(void *arg, struct rm_record *rec, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	const struct issue_base *b = arg;
	struct roster *r;
	int rv;

	if (rec->has_supersedes != b->exists || (b->exists &&
	    memcmp(rec->supersedes.b, b->hash.b, RM_HASH_BYTES) != 0))
		return rm_fail(why, RM_EBUSY, "object %s changed concurrently "
		    "(now at ver %llu); retry", rec->object_id,
		    (unsigned long long)(rec->ver - 1));
	/* restricted: encrypted here, where ver (bound by the AAD) is
	 * final (docs/PROTOCOL.md §6a) */
	if (record_restricted(rec)) {
		if ((r = node_roster(b->n)) == NULL)
			return rm_fail(why, RM_EUNKNOWNSIGNER, "no roster");
		rv = fed_record_restrict(r, rec, why);
		roster_free(r);
		if (rv != RM_OK)
			return rv;
	}
	return fed_record_seal(b->n->signer, rec, out, hash, why);
}

/* The roster rule that refused rec (EUNKNOWNSIGNER, EUNAUTH). */
static rm_log_limit refuse_log = RM_LOG_LIMIT(10, 60000);

bool
node_own_key_valid(struct node *n, const struct roster *r)
{
	const struct roster_key *k;
	const struct roster_agency *a = r != NULL ?
	    roster_find_kid(r, &n->kid, &k) : NULL;
	char peer[RM_AGENCY_ID_MAX + 1], reason[8];

	if (n->fed != NULL && fed_own_key_refused(n->fed, peer, sizeof(peer),
	    reason, sizeof(reason)))
		return false;
	return a != NULL && strcmp(a->id, n->cfg.agency) == 0 &&
	    k == roster_key_current(a, rm_utc_now_ms());
}

/* The roster says another key, or none, is this agency's key in use:
 * it was rotated or revoked, or the agency removed. Signing with ours
 * would make records that every peer refuses, so refuse here, count it
 * and say what to do. */
static int
own_key_refusal(struct node *n, const struct roster *r,
    const struct roster_agency *a, rm_why *why)
{
	const struct roster_key *ours = NULL, *cur;
	char hex[65], cur_hex[65], when[32];
	char peer[RM_AGENCY_ID_MAX + 1], reason[RM_WHY_MAX];

	atomic_fetch_add(&n->ctr.own_key_refused, 1);
	rm_hash_hex(&n->kid, hex);
	(void)roster_find_kid(r, &n->kid, &ours);
	cur = roster_key_current(a, rm_utc_now_ms());
	if (cur != NULL)
		rm_hash_hex(&cur->kid, cur_hex);
	/* What our roster says first; the peers' verdict when it says
	 * nothing (the record that would has not reached us). */
	if ((ours == NULL || ours->until == 0) && n->fed != NULL &&
	    fed_own_key_refused(n->fed, peer, sizeof(peer), reason,
	    sizeof(reason)))
		return rm_fail_at(why, RM_EUNKNOWNSIGNER, "key", "no peer "
		    "takes this node's signing key (kid %.16s): the agency's "
		    "key was probably rotated or revoked; publish the agency "
		    "records to this node (riskmesh roster publish), configure "
		    "the key in use and restart. Peer %s said: %s", hex, peer,
		    reason);
	if (ours != NULL && ours->until != 0) {
		rm_utc_format(ours->until, when);
		return rm_fail_at(why, RM_EUNKNOWNSIGNER, "key", "this node's "
		    "signing key (kid %.16s) of %s was %s at %s (roster version "
		    "%llu)%s%s%s: configure the agency's key in use and "
		    "restart", hex, n->cfg.agency, key_end_name(ours->end),
		    when, (unsigned long long)roster_version(r),
		    cur != NULL ? "; the key in use is kid " : "; the agency "
		    "has no key in use", cur != NULL ? cur_hex : "",
		    cur != NULL ? "" : "");
	}
	return rm_fail_at(why, RM_EUNKNOWNSIGNER, "key", "this node's signing "
	    "key (kid %.16s) is not the key of %s in use (roster version "
	    "%llu%s%.16s): the agency's key was rotated or revoked; "
	    "configure the current key and restart", hex, n->cfg.agency,
	    (unsigned long long)roster_version(r), cur != NULL ? ", kid " :
	    ", none in use", cur != NULL ? cur_hex : "");
}

int
node_issue_authorise(struct node *n, const struct rm_record *rec,
    rm_why *why)
{
	struct roster *r = node_roster(n);
	const struct roster_agency *a;
	int rv = RM_OK;

	a = r != NULL ? roster_find(r, n->cfg.agency) : NULL;
	if (a == NULL)
		rv = rm_fail_at(why, RM_EUNKNOWNSIGNER, "agency", "agency %s is "
		    "not in roster version %llu: this node may not issue",
		    n->cfg.agency, r != NULL ?
		    (unsigned long long)roster_version(r) : 0ULL);
	else if (!node_own_key_valid(n, r))
		rv = own_key_refusal(n, r, a, why);
	else
		rv = roster_authorise(a, rec, why);
	roster_free(r);
	if (rv != RM_OK && rm_log_allow(&refuse_log, NULL))
		rm_log(RM_LOG_NOTICE, "node", "refused to issue %s: %s",
		    rec->object_id, why != NULL ? why->msg : "");
	return rv;
}

/*
 * Own-log guard. A node must never sign a second record with a seq its
 * peers already hold (a fork: every node would then refuse the agency's
 * new records). That happens if the store was wiped or restored from an
 * old backup while peers kept the newer log. So: refuse to issue while a
 * peer's VECTOR says it holds more of our own log than we do (the catch-up
 * brings those records back, and issuing resumes after them); and while
 * peers are configured and none has sent its VECTOR since start, wait up
 * to OWN_LOG_WAIT_MS after start before issuing -- also when the node
 * holds records of its own: a store restored from an old backup holds
 * some, and only a peer's vector tells that it is behind. RM_EBUSY without a field (the
 * node, not the object, is busy: HTTP 503), nothing stored.
 */
#define OWN_LOG_WAIT_MS 10000

struct own_head {
	const char *agency;
	uint64_t seq;
};

static void
own_head_each(void *arg, const char *origin, uint64_t seq,
    const rm_hash *head)
{
	struct own_head *h = arg;

	(void)head;
	if (strcmp(origin, h->agency) == 0)
		h->seq = seq;
}

static int
own_log_ready(struct node *n, rm_why *why)
{
	struct own_head h = { n->cfg.agency, 0 };
	uint64_t seen = 0, vectors = 0;
	int rv;

	if ((rv = store_vector(n->store, own_head_each, &h)) != RM_OK)
		return rm_fail(why, rv, "cannot read this agency's log head: "
		    "%s", rm_strerror(rv));
	if (n->fed != NULL)
		fed_own_log_seen(n->fed, &seen, &vectors);
	if (seen > h.seq)
		return rm_fail(why, RM_EBUSY, "catching up on this agency's "
		    "own log first: peers hold seq %llu, this node %llu; retry "
		    "shortly", (unsigned long long)seen,
		    (unsigned long long)h.seq);
	if (n->cfg.n_peers > 0 && vectors == 0 &&
	    rm_utc_now_ms() - n->started_ms < OWN_LOG_WAIT_MS)
		return rm_fail(why, RM_EBUSY, "no peer has sent its version "
		    "vector since start (this node holds seq %llu of its own "
		    "log): waiting (up to %d s after start) so as not to reuse "
		    "a seq that peers hold; retry shortly",
		    (unsigned long long)h.seq, OWN_LOG_WAIT_MS / 1000);
	return RM_OK;
}

int
node_issue_commit(struct node *n, struct rm_record *rec,
    const struct issue_base *base, struct service_issued *out, rm_why *why)
{
	struct store_put_result res;
	char hex[65], summary[160];
	rm_why w;
	int rv;

	if ((rv = own_log_ready(n, why)) != RM_OK) {
		rm_log(RM_LOG_INFO, "node", "not issued: %s", why != NULL ?
		    why->msg : "own log guard");
		return rv;
	}
	rv = store_issue(n->store, rec, seal, (void *)base, &res, &w);
	switch (rv) {
	case RM_OK:
		break;
	case RM_ECLOSED:
		return rm_fail(why, rv, "the node is shutting down");
	case RM_EBUSY:
		rm_log(RM_LOG_INFO, "node", "not issued: %s", w.msg);
		return rm_fail_at(why, rv, "object_id", "%s", w.msg);
	case RM_ESTORE:
	case RM_EIO:
	case RM_ENOMEM:
	case RM_EFORK:
	case RM_ECRYPTO:
		rm_log(RM_LOG_ERR, "node", "issue %s failed: %s", rec->object_id,
		    w.msg);
		return rm_fail(why, rv, "nothing was stored: %s", w.msg);
	default:
		if (why != NULL)
			*why = w;
		return rv;
	}
	memset(out, 0, sizeof(*out));
	out->hash = res.hash;
	out->seq = rec->seq;
	out->ver = rec->ver;
	out->kind = rec->kind != NULL ? rec->kind->name : NULL;
	snprintf(out->origin, sizeof(out->origin), "%s", rec->origin);
	snprintf(out->object_id, sizeof(out->object_id), "%s", rec->object_id);
	atomic_fetch_add(&n->ctr.issued, 1);
	rm_hash_hex(&res.hash, hex);
	record_summary(rec, summary, sizeof(summary));
	rm_log(RM_LOG_NOTICE, "node", "issued %s %s ver %llu seq %llu %s "
	    "hash %.16s: %s", rec->kind->name, rec->object_id,
	    (unsigned long long)rec->ver, (unsigned long long)rec->seq,
	    rec->areas[0], hex, summary);
	return RM_OK;
}

int
node_issue_latest(struct node *n, const char *object_id, bool *found,
    rm_hash *h, struct rm_record *out, rm_why *why)
{
	rm_why w;
	int rv;

	*found = false;
	if ((rv = store_latest(n->store, n->cfg.agency, object_id, h)) ==
	    RM_ENOTFOUND)
		return RM_OK;
	if (rv != RM_OK)
		return rm_fail(why, rv, "cannot read the object: %s",
		    rm_strerror(rv));
	if ((rv = service_record_read(n, h, out, why)) != RM_OK)
		return rv == RM_ENOTFOUND ? rm_fail(why, RM_ESTORE, "the "
		    "latest version of %s is missing", object_id) : rv;
	/* an own restricted object: this node needs its content to
	 * update or cancel it (the origin is always a recipient) */
	if (record_restricted(out) && out->body == NULL) {
		rv = service_record_reveal(n, out, &w);
		if (rv == RM_OK && out->body == NULL)
			rv = rm_fail(&w, RM_EUNAUTH, "no enc_key configured");
		if (rv != RM_OK) {
			record_fini(out);
			return rm_fail_at(why, RM_EEXIST, "object_id", "object "
			    "%s is restricted and this node cannot read it: "
			    "%s", object_id, w.msg);
		}
	}
	*found = true;
	return RM_OK;
}

/*
 * The msg_type rules (docs/API.md "POST /v1/alerts"): a new object starts
 * with Alert; a cancelled object is closed (EEXIST); a next version is an
 * Update (when msg_type is not given) or a Cancel; Alert on an existing
 * object is a conflict (EEXIST); Ack and Error are not issued here.
 */
static int
msg_type_rules(struct rm_record *rec, bool mt_set, bool exists,
    const struct rm_record *cur, rm_why *why)
{
	struct rm_alert *a = record_alert(rec);
	const struct rm_alert *ca = record_alert(cur);
	rm_cap_msgtype mt = a->msg_type;

	if (!exists) {
		if (mt != RM_MSGTYPE_ALERT)
			return rm_fail_at(why, RM_EBADVALUE, "msg_type", "%s "
			    "needs an existing object, and object %s does not "
			    "exist: a new object starts with msg_type Alert",
			    cap_msgtype_name(mt), rec->object_id);
		return RM_OK;
	}
	if (ca == NULL)
		return rm_fail_at(why, RM_EEXIST, "object_id", "object %s is a "
		    "%s, not an alert", rec->object_id, cur->kind->name);
	if (ca->msg_type == RM_MSGTYPE_CANCEL)
		return rm_fail_at(why, RM_EEXIST, "object_id", "object %s was "
		    "cancelled at ver %llu; issue a new object",
		    rec->object_id, (unsigned long long)cur->ver);
	if (!mt_set) {
		a->msg_type = RM_MSGTYPE_UPDATE;
		return RM_OK;
	}
	if (mt == RM_MSGTYPE_ALERT)
		return rm_fail_at(why, RM_EEXIST, "msg_type", "object %s exists "
		    "(ver %llu); use msg_type Update", rec->object_id,
		    (unsigned long long)cur->ver);
	if (mt != RM_MSGTYPE_UPDATE && mt != RM_MSGTYPE_CANCEL)
		return rm_fail_at(why, RM_EBADVALUE, "msg_type", "%s is not "
		    "issued through this API; a next version of object %s is "
		    "an Update or a Cancel", cap_msgtype_name(mt),
		    rec->object_id);
	return RM_OK;
}

int
service_alert_default_id(struct node *n, rm_utc_ms now,
    char out[RM_ALERT_IDENTIFIER_MAX + 1], rm_why *why)
{
	uint8_t rnd[4];
	char rnd_hex[9];

	if (crypto_random(rnd, sizeof(rnd)) != RM_OK)
		return rm_fail(why, RM_ECRYPTO, "no randomness");
	rm_hex_encode(rnd, sizeof(rnd), rnd_hex);
	snprintf(out, RM_ALERT_IDENTIFIER_MAX + 1, "%s-%lld-%s", n->cfg.agency,
	    (long long)now, rnd_hex);
	return RM_OK;
}

int
node_issue_draft_valid(struct node *n, const struct rm_kind_ops *kind,
    struct rm_record *d, rm_why *why)
{
	size_t n_to = d->n_to;
	int rv;

	if (d->kind != kind || d->body == NULL)
		return rm_fail(why, RM_EINVAL, "the draft is not a%s %s",
		    strchr("aeiou", kind->name[0]) != NULL ? "n" : "",
		    kind->name);
	if (strcmp(d->origin, n->cfg.agency) != 0)
		return rm_fail(why, RM_EINVAL, "the draft's origin %s is not "
		    "this node's agency %s", d->origin, n->cfg.agency);
	if (d->ver != 0 || d->seq != 0 || d->has_prev || d->has_supersedes)
		return rm_fail(why, RM_EINVAL, "the draft is numbered; the "
		    "store numbers records");
	/* a restricted draft is encrypted only when sealed: check it as
	 * the plain record it will encrypt (record_set_to checked "to") */
	d->ver = 1;
	d->seq = 1;
	d->n_to = 0;
	rv = record_validate(d, why);
	d->ver = 0;
	d->seq = 0;
	d->n_to = n_to;
	return rv;
}

/*
 * Recipients of a restricted draft (docs/PROTOCOL.md §6a): a next
 * version of a restricted object keeps the recipients of the latest
 * one unless the draft names its own, and the origin is always one of
 * them, so that its nodes can show, update and cancel what it issued.
 */
static int
draft_recipients(struct node *n, struct rm_record *d, bool exists,
    const struct rm_record *cur, rm_why *why)
{
	const struct rm_record *src = d;
	const char *ids[RM_RECORD_TO_MAX + 1];
	struct roster *r;
	size_t k = 0;
	bool self = false;
	int rv;

	if (!record_restricted(d) && exists && record_restricted(cur))
		src = cur;
	if (!record_restricted(src))
		return RM_OK;
	for (size_t i = 0; i < src->n_to; i++) {
		ids[k++] = src->to[i];
		self |= strcmp(src->to[i], n->cfg.agency) == 0;
	}
	if (!self)
		ids[k++] = n->cfg.agency;
	if (k > RM_RECORD_TO_MAX)
		return rm_fail_at(why, RM_ETOOBIG, "to", "%zu recipients with "
		    "this agency itself, limit %d", k, RM_RECORD_TO_MAX);
	if ((rv = record_set_to(d, ids, k, why)) != RM_OK)
		return rv;
	/* refused here (422) rather than when sealing */
	if ((r = node_roster(n)) == NULL)
		return rm_fail_at(why, RM_EUNKNOWNSIGNER, "agency", "no roster");
	for (size_t i = 0; i < d->n_to && rv == RM_OK; i++) {
		const struct roster_agency *a = roster_find(r, d->to[i]);

		if (a == NULL || a->removed || roster_agency_enc(a) == NULL)
			rv = rm_fail_at(why, RM_EBADVALUE, "to", "%s %s in "
			    "roster version %llu", d->to[i], a == NULL ?
			    "is not an agency" : a->removed ? "was removed "
			    "from the federation" : "has no encryption key",
			    (unsigned long long)roster_version(r));
	}
	roster_free(r);
	return rv;
}

int
service_alert_issue(struct node *n, struct rm_record *draft,
    bool msg_type_given, struct service_issued *out, rm_why *why)
{
	struct rm_record cur;
	struct issue_base base;
	int rv;

	if ((rv = node_issue_draft_valid(n, &rm_kind_alert, draft, why)) !=
	    RM_OK)
		return rv;
	memset(&cur, 0, sizeof(cur));
	memset(&base, 0, sizeof(base));
	base.n = n;
	if ((rv = node_issue_latest(n, draft->object_id, &base.exists, &base.hash,
	    &cur, why)) == RM_OK &&
	    (rv = msg_type_rules(draft, msg_type_given, base.exists, &cur,
	    why)) == RM_OK &&
	    (rv = draft_recipients(n, draft, base.exists, &cur, why)) ==
	    RM_OK &&
	    (rv = node_issue_authorise(n, draft, why)) == RM_OK)
		rv = node_issue_commit(n, draft, &base, out, why);
	if (base.exists)
		record_fini(&cur);
	return rv;
}

int
service_alert_cancel(struct node *n, const char *object_id,
    const char *reason, struct service_issued *out, rm_why *why)
{
	struct rm_record rec, c;
	struct rm_alert ca, *ra;
	struct issue_base base;
	struct rm_alert_text *texts = NULL;
	int rv;

	memset(&rec, 0, sizeof(rec));
	memset(&base, 0, sizeof(base));
	base.n = n;
	if (reason != NULL && (reason[0] == '\0' ||
	    strlen(reason) > RM_ALERT_DESCRIPTION_MAX))
		return rm_fail_at(why, RM_EBADVALUE, "reason", "must be "
		    "1..%d bytes of text", RM_ALERT_DESCRIPTION_MAX);
	if (strlen(object_id) > RM_OBJECT_ID_MAX || !object_id_valid(object_id))
		rv = rm_fail_at(why, RM_ENOTFOUND, "object_id", "\"%.80s\" is "
		    "not a valid object id (%s)", object_id,
		    NODE_OBJECT_ID_RULE);
	else if ((rv = node_issue_latest(n, object_id, &base.exists, &base.hash,
	    &rec, why)) == RM_OK && !base.exists)
		rv = rm_fail_at(why, RM_ENOTFOUND, "object_id", "%s has no "
		    "object \"%s\"", n->cfg.agency, object_id);
	if (rv != RM_OK)
		goto done;
	if ((ra = record_alert(&rec)) == NULL) {
		rv = rm_fail_at(why, RM_EEXIST, "object_id", "object %s is a "
		    "%s, not an alert", object_id, rec.kind->name);
		goto done;
	}
	if (ra->msg_type == RM_MSGTYPE_CANCEL) {
		rv = rm_fail_at(why, RM_EEXIST, "object_id", "object %s was "
		    "already cancelled at ver %llu", object_id,
		    (unsigned long long)rec.ver);
		goto done;
	}
	/* The next version: same content, msg_type Cancel. */
	c = rec;
	ca = *ra;
	c.body = &ca;
	ca.msg_type = RM_MSGTYPE_CANCEL;
	ca.cap = NULL;          /* not the CAP message the alert came from */
	c.ver = 0;
	c.seq = 0;
	c.has_prev = false;
	c.has_supersedes = false;
	c.issued_ms = rm_utc_now_ms();
	c.enc = NULL;           /* a restricted Cancel is encrypted anew */
	c.enc_len = 0;
	if (reason != NULL) {
		texts = calloc(ra->n_texts, sizeof(*texts));
		if (texts == NULL) {
			rv = rm_fail(why, RM_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < ra->n_texts; i++) {
			texts[i] = ra->texts[i];
			texts[i].description = (char *)reason;
		}
		ca.texts = texts;
	}
	if ((rv = node_issue_authorise(n, &c, why)) == RM_OK)
		rv = node_issue_commit(n, &c, &base, out, why);
	free(c.enc);
done:
	free(texts);
	if (base.exists)
		record_fini(&rec);
	return rv;
}

/* The fork at (origin, seq) this node holds, for the resolve path. */
struct fork_find {
	const char *origin;
	uint64_t seq;
	bool found;
	bool resolved;
};

static int
fork_find_each(void *arg, const char *origin, uint64_t seq,
    const rm_hash *evidence, const rm_hash *log, const rm_hash *resolution)
{
	struct fork_find *f = arg;

	(void)evidence;
	(void)log;
	if (strcmp(origin, f->origin) == 0 && seq == f->seq) {
		f->found = true;
		f->resolved = resolution != NULL;
	}
	return RM_OK;
}

int
service_fork_resolve(struct node *n, const char *origin, uint64_t seq,
    const rm_hash *keep, struct service_issued *out, rm_why *why)
{
	struct fork_find ff = { origin, seq, false, false };
	struct rm_fork_ref body;
	struct rm_record rec, cur;
	struct issue_base base;
	struct roster *r;
	const struct roster_agency *a;
	int rv;

	if (!agency_id_valid(origin))
		return rm_fail_at(why, RM_ENOTFOUND, "origin", "\"%.64s\" is "
		    "not an agency id (%s)", origin, RM_AGENCY_ID_RULE);
	if ((rv = store_forks_each(n->store, fork_find_each, &ff)) != RM_OK)
		return rm_fail(why, rv, "cannot read the fork evidence: %s",
		    rm_strerror(rv));
	if (!ff.found)
		return rm_fail_at(why, RM_ENOTFOUND, "seq", "this node holds "
		    "no fork of %s at seq %llu", origin,
		    (unsigned long long)seq);
	memset(&rec, 0, sizeof(rec));
	memset(&body, 0, sizeof(body));
	memset(&base, 0, sizeof(base));
	base.n = n;
	snprintf(body.origin, sizeof(body.origin), "%s", origin);
	body.seq = seq;
	body.keep = *keep;
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_fork_resolution;
	rec.body = &body;
	snprintf(rec.origin, sizeof(rec.origin), "%s", n->cfg.agency);
	snprintf(rec.object_id, sizeof(rec.object_id), "fork:%s:%llu", origin,
	    (unsigned long long)seq);
	rec.issued_ms = rm_utc_now_ms();
	/* The resolution covers the signer's own first area. */
	r = node_roster(n);
	a = r != NULL ? roster_find(r, n->cfg.agency) : NULL;
	if (a != NULL && a->n_areas > 0) {
		rec.n_areas = 1;
		snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s", a->areas[0]);
	}
	roster_free(r);
	if ((rv = node_issue_latest(n, rec.object_id, &base.exists, &base.hash,
	    &cur, why)) != RM_OK)
		return rv;
	if (base.exists)
		record_fini(&cur);
	if ((rv = node_issue_authorise(n, &rec, why)) == RM_OK)
		rv = node_issue_commit(n, &rec, &base, out, why);
	if (rv == RM_OK)
		rm_log_sec("node", "fork of %s at seq %llu resolved by this "
		    "node (%s)", origin, (unsigned long long)seq,
		    n->cfg.agency);
	return rv;
}

int
node_issue_ready(struct node *n, rm_why *why)
{
	return own_log_ready(n, why);
}

int
node_issue_seal(void *arg, struct rm_record *rec, rm_buf *out, rm_hash *hash,
    rm_why *why)
{
	return seal(arg, rec, out, hash, why);
}

int
node_issue_latest_of(struct node *n, const char *id,
    const struct rm_kind_ops *kind, struct rm_record *out, rm_hash *hash,
    rm_why *why)
{
	bool found = false;
	int rv;

	if (id == NULL || strlen(id) > RM_OBJECT_ID_MAX || !object_id_valid(id))
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "\"%.80s\" is "
		    "not a valid object id (%s)", id != NULL ? id : "",
		    NODE_OBJECT_ID_RULE);
	if ((rv = node_issue_latest(n, id, &found, hash, out, why)) != RM_OK)
		return rv;
	if (!found)
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "%s has no "
		    "%s \"%s\"", n->cfg.agency, kind->name, id);
	if (out->kind != kind) {
		rv = rm_fail_at(why, RM_EEXIST, "object_id", "object %s is a %s, "
		    "not a%s %s", id, out->kind->name,
		    strchr("aeiou", kind->name[0]) != NULL ? "n" : "",
		    kind->name);
		record_fini(out);
		return rv;
	}
	return RM_OK;
}

int
node_issue_base_of(struct node *n, const struct rm_kind_ops *kind,
    struct rm_record *draft, struct issue_base *base, struct rm_record *cur,
    rm_why *why)
{
	int rv;

	if ((rv = node_issue_draft_valid(n, kind, draft, why)) != RM_OK)
		return rv;
	memset(cur, 0, sizeof(*cur));
	memset(base, 0, sizeof(*base));
	base->n = n;
	return node_issue_latest(n, draft->object_id, &base->exists,
	    &base->hash, cur, why);
}

int
node_issue_base_check(struct node *n, const struct rm_record *draft,
    const rm_hash *base_hash, const struct issue_base *base,
    const struct rm_record *cur, rm_why *why)
{
	const char *kind = draft->kind->name;

	if (base_hash == NULL && base->exists)
		return rm_fail_at(why, RM_EEXIST, "object_id", "%s already has "
		    "an object \"%s\" (ver %llu): update it instead",
		    n->cfg.agency, draft->object_id,
		    (unsigned long long)cur->ver);
	if (base_hash != NULL && !base->exists)
		return rm_fail_at(why, RM_ENOTFOUND, "object_id", "%s has no "
		    "%s \"%s\"", n->cfg.agency, kind, draft->object_id);
	if (base->exists && cur->kind != draft->kind)
		return rm_fail_at(why, RM_EEXIST, "object_id", "object %s is a "
		    "%s, not a%s %s", draft->object_id, cur->kind->name,
		    strchr("aeiou", kind[0]) != NULL ? "n" : "", kind);
	if (base_hash != NULL && memcmp(base_hash->b, base->hash.b,
	    RM_HASH_BYTES) != 0)
		return rm_fail_at(why, RM_EBUSY, "object_id", "%s %s changed "
		    "concurrently (now at ver %llu); retry", kind,
		    draft->object_id, (unsigned long long)cur->ver);
	return RM_OK;
}
