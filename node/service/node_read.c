/*
 * node_read.c -- reads of the domain API: a record by hash, the alerts
 * in force in an area, the fork evidence, a status snapshot.
 */
#include <stdlib.h>

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
service_alerts_active(struct node *n, const char *area, rm_utc_ms now,
    store_each_fn each, void *arg, rm_why *why)
{
	int rv;

	rv = store_active(n->store, &rm_kind_alert, area, now, each, arg);
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
	if (n->fed != NULL) {
		st->fed_on = true;
		fed_get_counters(n->fed, &st->fed);
		st->n_peers = fed_peers(n->fed, st->peers, CONFIG_PEERS_MAX);
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
