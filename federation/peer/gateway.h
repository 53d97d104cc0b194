/*
 * gateway.h -- export policies of gateway links between federations
 * (docs/PROTOCOL.md §12.4): what a gateway link may carry, as data.
 * Included by peer.h; the link engine enforces a policy on what it
 * pushes and re-checks it on what it receives, and the node calls
 * gateway_policy_allows to serve the exported subset to a gateway peer
 * (range-based reconciliation over a gateway, §12.5).
 *
 * Pure functions over values: no threads, no state, thread-safe.
 */
#ifndef RM_PEER_GATEWAY_H
#define RM_PEER_GATEWAY_H

#include <stdbool.h>
#include <stddef.h>

#include "federation/trust/trust.h"

#define GATEWAY_AGENCIES_MAX   16     /* named origins of a policy */
#define GATEWAY_POLICY_MAX     2048   /* bytes of a policy's text form */

/*
 * An export policy. A record crosses the link iff
 *   its kind is in `kinds`, and
 *   every area is contained by one of `areas` (none: any area), and
 *   for a graded kind (rm_kind_ops.grade) its grade >= min_grade
 *     (0: any), and
 *   its origin is one of `agencies` (none: any origin; an agency record
 *     also passes when the agency it describes, its oid, is named), and
 *   if it is restricted (docs/PROTOCOL.md §6a): one of its recipients is
 *     on the far side (its agency area inside the far side's areas); the
 *     grade of a restricted record is encrypted and not checked.
 */
struct gateway_policy {
	rm_kind_set kinds;
	struct trust_areas areas;
	rm_grade min_grade;
	size_t n_agencies;
	char agencies[GATEWAY_AGENCIES_MAX][RM_AGENCY_ID_MAX + 1];
};

/*
 * Parse the text form: terms separated by single spaces, each KEY=VALUE,
 * each key at most once:
 *   kinds=alert,agency            (required; registered kind names)
 *   areas=110000,120000           (trust_areas_parse)
 *   grade=blue|yellow|orange|red  (lowest grade)
 *   agencies=110000.command,...   (agency ids)
 * On error *out is unchanged. Errors: RM_EINVAL (text or out NULL),
 * RM_EBADVALUE (unknown key or kind,
 * a bad value, a repeated key, kinds missing), RM_ETOOBIG (text over
 * GATEWAY_POLICY_MAX, too many areas or agencies).
 */
int gateway_policy_parse(const char *text, struct gateway_policy *out,
    rm_why *why);

/* The text form (parses back to the same policy), terms in the order
 * above, absent ones left out; out[0..len), NUL-terminated, truncated
 * if len is short (GATEWAY_POLICY_MAX is always enough). */
void gateway_policy_format(const struct gateway_policy *p, char *out,
    size_t len);

/*
 * Does p let rec cross towards the side whose areas are `far` (sending:
 * the areas of the federation of the link's peer; receiving: this
 * node's home areas, trust_roster_areas)? rec's common fields must be
 * valid; its body may be NULL only for a restricted record. `far` may
 * be NULL: no restricted record passes then. RM_OK, or RM_EUNAUTH with
 * why naming the rule that failed.
 */
int gateway_policy_check(const struct gateway_policy *p,
    const struct rm_record *rec, const struct trust_areas *far, rm_why *why);

/* gateway_policy_check(p, &fr->rec, far, NULL) == RM_OK: the predicate
 * the link engine and the node's reconciliation over a gateway use. */
bool gateway_policy_allows(const struct gateway_policy *p,
    const struct fed_record *fr, const struct trust_areas *far);

#endif /* RM_PEER_GATEWAY_H */
