/*
 * node_read.c -- reads of the domain API: a record by hash, the alerts
 * in force in an area, the fork evidence, a status snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "node/service/service.h"

int
service_record_get(struct node *n, const rm_hash *hash, rm_buf *out,
    rm_why *why)
{
	char hex[65];
	int rv;

	if ((rv = store_get(n->store, hash, out)) == RM_OK)
		return RM_OK;
	rm_hash_hex(hash, hex);
	if (rv == RM_ENOTFOUND)
		return rm_fail_at(why, rv, "hash", "no record %s", hex);
	return rm_fail(why, rv, "cannot read the record: %s",
	    rm_strerror(rv));
}

int
service_record_read(struct node *n, const rm_hash *hash,
    struct rm_record *out, rm_why *why)
{
	struct cose_sign1 msg;
	rm_buf b = RM_BUF_INIT;
	rm_why w;
	int rv;

	if ((rv = service_record_get(n, hash, &b, why)) != RM_OK)
		goto done;
	if ((rv = cose_sign1_decode(b.data, b.len, &msg, &w)) == RM_OK)
		rv = record_decode(msg.payload, msg.payload_len, out, &w);
	if (rv != RM_OK)
		rv = rm_fail(why, RM_ESTORE, "stored record does not decode: "
		    "%s (%s)", w.msg, rm_errname(rv));
done:
	rm_buf_fini(&b);
	return rv;
}

/* Is this node's agency among rec's recipients? */
static bool
own_recipient(const struct node *n, const struct rm_record *rec)
{
	for (size_t i = 0; i < rec->n_to; i++)
		if (strcmp(rec->to[i], n->cfg.agency) == 0)
			return true;
	return false;
}

static rm_log_limit reveal_log = RM_LOG_LIMIT(10, 60000);

int
service_record_reveal(struct node *n, struct rm_record *rec, rm_why *why)
{
	struct roster *r;
	int rv;

	if (!record_restricted(rec) || rec->body != NULL ||
	    n->decrypter == NULL || !own_recipient(n, rec))
		return RM_OK;
	if ((r = node_roster(n)) == NULL)
		return rm_fail(why, RM_EUNKNOWNSIGNER, "no roster");
	rv = fed_record_decrypt(r, n->decrypter, rec, why);
	roster_free(r);
	if (rv != RM_OK && rm_log_allow(&reveal_log, NULL)) {
		rm_log_sec("node", "restricted %s %s ver %llu "
		    "from %s names %s but does not open: %s", rec->kind->name,
		    rec->object_id, (unsigned long long)rec->ver, rec->origin,
		    n->cfg.agency, why != NULL ? why->msg : "");
	}
	return rv;
}

/* The alerts walk: restricted versions are decrypted on a recipient
 * (and skipped there when their content is not in force), shown as
 * they are (no content) elsewhere. */
struct reveal_walk {
	struct node *n;
	store_each_fn each;
	void *arg;
};

static int
reveal_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct reveal_walk *w = arg;
	struct rm_record copy;
	rm_why why;
	int rv;

	if (!record_restricted(rec) || rec->body != NULL)
		return w->each(w->arg, h, p, n, rec);
	/* a shallow copy: its body is ours, the rest the store's */
	copy = *rec;
	if (service_record_reveal(w->n, &copy, &why) != RM_OK ||
	    copy.body == NULL)
		return w->each(w->arg, h, p, n, rec);
	rv = RM_OK;
	if (copy.kind->in_force != NULL && copy.kind->in_force(&copy))
		rv = w->each(w->arg, h, p, n, &copy);
	record_body_free(&copy);
	return rv;
}

int
service_alerts_active(struct node *n, const char *area, rm_utc_ms now,
    store_each_fn each, void *arg, rm_why *why)
{
	struct reveal_walk w = { n, each, arg };
	int rv;

	rv = store_active(n->store, &rm_kind_alert, area, now, reveal_each,
	    &w);
	if (rv != RM_OK)
		return rm_fail(why, rv, "cannot read alerts: %s",
		    rm_strerror(rv));
	return RM_OK;
}

int
service_forks_each(struct node *n, store_fork_fn each, void *arg,
    rm_why *why)
{
	int rv;

	if ((rv = store_forks_each(n->store, each, arg)) != RM_OK &&
	    rv != RM_ENOMEM)
		return rm_fail(why, rv, "cannot read the fork evidence: %s",
		    rm_strerror(rv));
	if (rv == RM_ENOMEM)
		return rm_fail(why, rv, "out of memory");
	return RM_OK;
}

int
service_status(struct node *n, struct service_status **out, rm_why *why)
{
	struct service_status *st;
	int rv;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return rm_fail(why, RM_ENOMEM, "out of memory");
	if ((rv = store_get_stats(n->store, &st->store)) != RM_OK) {
		free(st);
		return rm_fail(why, rv, "cannot read the store's figures: %s",
		    rm_strerror(rv));
	}
	{
		struct rbsr_sum sum;
		struct rbsr_key hi = RBSR_KEY_MAX;
		if ((rv = store_rbsr_sum(n->store, &RBSR_KEY_MIN, &hi, &sum))
		    != RM_OK) {
			free(st);
			return rm_fail(why, rv, "cannot read the store's set "
			    "fingerprint: %s", rm_strerror(rv));
		}
		st->set_count = sum.count;
		rbsr_fingerprint(&sum, st->set_fingerprint);
	}
	if (n->fed != NULL) {
		st->fed_on = true;
		fed_get_counters(n->fed, &st->fed);
		st->n_peers = fed_peers(n->fed, st->peers,
		    sizeof(st->peers) / sizeof(st->peers[0]));
		st->roster_seen = fed_roster_seen(n->fed);
	}
	st->roster = node_roster(n);
	st->own_key_valid = node_own_key_valid(n, st->roster);
	if (n->coap_stats != NULL) {
		st->coap_on = true;
		n->coap_stats(n, &st->coap);
	}
	*out = st;
	return RM_OK;
}

void
service_status_free(struct service_status *st)
{
	if (st == NULL)
		return;
	roster_free(st->roster);
	free(st);
}
