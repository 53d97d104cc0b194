/*
 * node_peers.c -- the node's peer links as the front ends see them:
 * their status, and range-based set reconciliation with one of them on
 * demand (docs/PROTOCOL.md §7a, `riskmesh sync`).
 */
#include <stdio.h>

#include "node/service/service.h"

size_t
service_peers(struct node *n, struct fed_peer_status *out, size_t max)
{
	return n->fed != NULL ? fed_peers(n->fed, out, max) : 0;
}

int
service_peer_sync(struct node *n, const char *agency, rm_why *why)
{
	int rv;

	if (n->fed == NULL)
		return rm_fail_at(why, RM_ENOTFOUND, "agency", "this node has "
		    "no peer links");
	rv = fed_reconcile(n->fed, agency, why);
	if (rv == RM_OK)
		rm_log(RM_LOG_NOTICE, "node", "reconciliation with %s started "
		    "on demand", agency);
	return rv;
}
