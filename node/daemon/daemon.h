/*
 * daemon.h -- riskmeshd's wiring (rm_daemon, node_main.c): load and
 * check the identity, then start the service, the CoAP server and the
 * HTTP API over one struct node, and stop them in reverse
 * (docs/OPERATIONS.md).
 *
 * Start order (node_start): identity (agency key, root key from the CA
 * certificate, roster; the own agency must be in the roster with the
 * loaded key's kid) -> TLS certificate and key, peer lines
 * (node_check_more) -> store -> federation (host ops: ingest, vector,
 * log range, roster save) -> peers -> store observer -> CoAP server
 * (subscribed to stored alerts) -> the escalation scheduler of task
 * dispatch (node_tasks_start: subscribed to stored tasks and acks) ->
 * federation links -> HTTP server.
 * node_stop() undoes it in reverse.
 *
 * Thread rules: node_start/node_stop on the main thread.
 */
#ifndef RM_NODE_DAEMON_DAEMON_H
#define RM_NODE_DAEMON_DAEMON_H

#include "node/service/service.h"

/*
 * Load and check the node's identity from cfg (copied into n->cfg):
 * the agency's signer (crypto_signer_open_pem on `key`: a private
 * P-256 key), the root key (public key of the CA
 * certificate), the roster (signature checked with the root key); the
 * own agency must be listed and its roster kid must equal the key's.
 * On error, *cfg_key names the config key at fault ("key", "ca",
 * "roster", "agency") and why says what; n keeps nothing.
 * Errors: those of crypto_signer_open_pem, x509_public_key, roster_load;
 * RM_EUNKNOWNSIGNER (agency not in roster), RM_EBADVALUE (kid mismatch,
 * public-only key).
 */
int node_load_identity(struct node *n, const struct node_config *cfg,
    const char **cfg_key, rm_why *why);

/*
 * The checks after the identity, against roster r: the TLS certificate
 * (chains to the CA, in validity, issued for the agency id), tls_key (a
 * private key whose kid equals the kid of the certificate's public key,
 * x509_public_key, crypto_signer_kid), and every `peer` line (an agency of
 * r, not the node's own). On error *cfg_key names the config key
 * ("tls_cert", "tls_key", "peer"), *cfg_val the peer's agency for
 * "peer" (NULL otherwise; it borrows from cfg), why says what.
 * node_start() runs them too. Errors: those of x509_verify,
 * x509_public_key, crypto_signer_open_pem; RM_EBADVALUE (wrong CN, public
 * key only, key mismatch, own agency as peer), RM_EUNKNOWNSIGNER (peer
 * not in the roster).
 */
int node_check_more(const struct node_config *cfg, const struct roster *r,
    const char **cfg_key, const char **cfg_val, rm_why *why);

/* Everything `riskmeshd -n` checks beyond config_load: identity as
 * above, then node_check_more(), then the rules file (config `rules`,
 * *cfg_key "rules", why "FILE:LINE: what" of its first error). Nothing
 * is opened or bound. *cfg_key,
 * *cfg_val and why as for node_check_more(). */
int node_check(const struct node_config *cfg, const char **cfg_key,
    const char **cfg_val, rm_why *why);

/*
 * Start the node (see the start order above). n must be zeroed. On
 * failure everything started so far is stopped again, why says what
 * failed (one line for the log) and RM_* is returned.
 */
int node_start(struct node *n, const struct node_config *cfg, rm_why *why);

/* Stop in reverse order: HTTP first (new requests get 503 at once,
 * requests in flight are answered before the server stops, see
 * http_stop()), then the escalation scheduler (joined), federation,
 * CoAP, store; frees keys and roster.
 * Safe on a partly started node. */
void node_stop(struct node *n);

/* The current roster, referenced (caller roster_free()s). */
struct roster *node_roster(struct node *n);

/* Bound HTTP address "host:port" (after start), for the ready line. */
void node_http_addr(struct node *n, char *out, size_t len);

#endif /* RM_NODE_DAEMON_DAEMON_H */
