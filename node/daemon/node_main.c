/*
 * node_main.c -- start and stop a node: identity, store, federation,
 * CoAP, HTTP, in that order; stop in reverse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap.h"
#include "node/coap/coap_srv.h"
#include "node/daemon/daemon_int.h"
#include "node/daemon/daemon.h"
#include "node/http/http.h"
#include "node/rules/rules.h"

int
node_load_identity(struct node *n, const struct node_config *cfg,
    const char **cfg_key, rm_why *why)
{
	const struct roster_agency *a, *owner;
	const struct roster_key *k;
	crypto_signer *signer = NULL;
	crypto_decrypter *dec = NULL;
	crypto_key *root = NULL;
	struct roster *charter = NULL, *r = NULL;
	rm_hash kid, ekid;
	char hex[65];
	int rv;

	*cfg_key = "key";
	if ((rv = crypto_signer_open_pem(cfg->key_file, &signer, why)) !=
	    RM_OK)
		goto fail;
	if ((rv = crypto_signer_kid(signer, &kid)) != RM_OK) {
		rv = rm_fail(why, rv, "%s: cannot compute kid", cfg->key_file);
		goto fail;
	}
	*cfg_key = "ca";
	if ((rv = x509_public_key(cfg->ca_file, &root, why)) != RM_OK)
		goto fail;
	*cfg_key = "roster";
	if ((rv = roster_load(cfg->roster_file, root, &charter, why)) != RM_OK)
		goto fail;
	/* The roster: the charter and the registrars' records of the
	 * `agencies` file (node_start adds those of the store). */
	*cfg_key = "agencies";
	if ((rv = node_roster_from_file(NULL, charter, cfg->agencies_file,
	    &r, why)) != RM_OK)
		goto fail;
	*cfg_key = "agency";
	if ((a = roster_find(r, cfg->agency)) == NULL) {
		rv = rm_fail(why, RM_EUNKNOWNSIGNER, "agency %s is not in "
		    "roster %s version %llu (%zu agencies with the records of "
		    "%s)", cfg->agency, cfg->roster_file,
		    (unsigned long long)roster_version(r), roster_count(r),
		    cfg->agencies_file[0] ? cfg->agencies_file : "the store");
		goto fail;
	}
	/* Any key the agency ever had starts the node (it still relays and
	 * serves); only its key in use lets it issue (node_own_key_valid). */
	owner = roster_find_kid(r, &kid, &k);
	if (owner != a) {
		rm_hash_hex(&kid, hex);
		*cfg_key = "key";
		rv = rm_fail(why, RM_EBADVALUE, "%s (kid %.16s…) is not a key "
		    "the roster lists for %s", cfg->key_file, hex,
		    cfg->agency);
		goto fail;
	}
	if (k != roster_key_current(a, rm_utc_now_ms())) {
		rm_hash_hex(&kid, hex);
		rm_log(RM_LOG_WARN, "node", "%s (kid %.16s…) was %s: this node "
		    "relays and serves but refuses to issue until it has its "
		    "agency's key in use", cfg->key_file, hex,
		    key_end_name(k->end) != NULL ? key_end_name(k->end) :
		    "replaced");
	}
	roster_free(charter);
	charter = NULL;
	if (cfg->enc_key_file[0] != '\0') {
		*cfg_key = "enc_key";
		if ((rv = crypto_decrypter_open_pem(cfg->enc_key_file, &dec,
		    why)) != RM_OK)
			goto fail;
		crypto_decrypter_kid(dec, &ekid);
		if (a->has_enc && !crypto_equal(a->enc_kid.b, ekid.b,
		    RM_HASH_BYTES)) {
			rm_hash_hex(&ekid, hex);
			rv = rm_fail(why, RM_EBADVALUE, "%s (kid %.16s…) is "
			    "not the encryption key the roster lists for %s",
			    cfg->enc_key_file, hex, cfg->agency);
			goto fail;
		}
	}
	if (n != NULL) {
		n->cfg = *cfg;
		n->decrypter = dec;
		n->signer = signer;
		n->root = root;
		n->roster = r;
		n->kid = kid;
	} else {
		roster_free(r);
		crypto_key_free(root);
		crypto_signer_free(signer);
		crypto_decrypter_free(dec);
	}
	return RM_OK;
fail:
	roster_free(charter);
	roster_free(r);
	crypto_key_free(root);
	crypto_signer_free(signer);
	crypto_decrypter_free(dec);
	return rv;
}


/* The TLS certificate (chains to the CA, in validity, issued for the
 * agency id) and its key (private, the certificate's key). The key is
 * opened as a signer only to learn its kid; nng reads the file itself. */
static int
check_tls(const struct node_config *cfg, const char **cfg_key, rm_why *why)
{
	crypto_signer *k = NULL;
	crypto_key *pub = NULL;
	rm_hash kid_key, kid_cert;
	char cn[256], hk[65], hc[65];
	int rv;

	*cfg_key = "tls_cert";
	if ((rv = x509_verify(cfg->ca_file, cfg->tls_cert_file, cn,
	    sizeof(cn), why)) != RM_OK)
		return rv;
	if (strcmp(cn, cfg->agency) != 0)
		return rm_fail(why, RM_EBADVALUE, "%s: certificate is for "
		    "\"%s\", not %s", cfg->tls_cert_file, cn, cfg->agency);
	if ((rv = x509_public_key(cfg->tls_cert_file, &pub, why)) != RM_OK)
		return rv;
	*cfg_key = "tls_key";
	if ((rv = crypto_signer_open_pem(cfg->tls_key_file, &k, why)) !=
	    RM_OK)
		goto out;
	if ((rv = crypto_signer_kid(k, &kid_key)) != RM_OK ||
	    (rv = crypto_key_kid(pub, &kid_cert)) != RM_OK) {
		rv = rm_fail(why, rv, "%s: cannot compute the key id",
		    cfg->tls_key_file);
		goto out;
	}
	if (!crypto_equal(kid_key.b, kid_cert.b, RM_HASH_BYTES)) {
		rm_hash_hex(&kid_key, hk);
		rm_hash_hex(&kid_cert, hc);
		rv = rm_fail(why, RM_EBADVALUE, "%s (kid %.16s…) is not the "
		    "key of tls_cert %s (kid %.16s…)", cfg->tls_key_file, hk,
		    cfg->tls_cert_file, hc);
	}
out:
	crypto_key_free(pub);
	crypto_signer_free(k);
	return rv;
}

/* Foreign roots load and their areas parse; gateway policies parse
 * (docs/PROTOCOL.md §12). */
static int
check_gateways(const struct node_config *cfg, const struct roster *r,
    const char **cfg_key, const char **cfg_val, rm_why *why)
{
	struct gateway_policy pol;
	struct trust_foreign tf;
	struct trust_areas home, fa;
	crypto_key *k = NULL;
	int rv;

	*cfg_key = "foreign";
	if (r != NULL)
		trust_roster_areas(r, &home);
	else
		home.n = 0;
	for (size_t i = 0; i < cfg->n_foreign; i++) {
		*cfg_val = cfg->foreign[i].name;
		/* A foreign root never speaks for this federation: not under
		 * its name, and not for any of its areas (it could register
		 * agencies for our districts). */
		if (r != NULL && strcmp(cfg->foreign[i].name,
		    roster_federation(r)) == 0)
			return rm_fail(why, RM_ECONFIG, "%s is the name of this "
			    "node's own federation", cfg->foreign[i].name);
		if (trust_areas_parse(cfg->foreign[i].areas, &fa, why) !=
		    RM_OK)
			return RM_ECONFIG;
		for (size_t a = 0; a < fa.n; a++)
			for (size_t h = 0; h < home.n; h++)
				if (area_overlaps(fa.code[a], home.code[h]))
					return rm_fail(why, RM_ECONFIG, "area "
					    "%s overlaps %s of this node's own "
					    "federation %s: a foreign root is "
					    "trusted only for the other side's "
					    "areas", fa.code[a], home.code[h],
					    roster_federation(r));
		if ((rv = x509_public_key(cfg->foreign[i].root_file, &k,
		    why)) != RM_OK)
			return rv;
		rv = trust_foreign_init(&tf, cfg->foreign[i].name, k,
		    cfg->foreign[i].areas, why);
		crypto_key_free(k);
		if (rv != RM_OK)
			return rv;
	}
	*cfg_key = "gateway";
	for (size_t i = 0; i < cfg->n_gateways; i++) {
		*cfg_val = cfg->gateways[i].peer.agency;
		if ((rv = gateway_policy_parse(cfg->gateways[i].policy, &pol,
		    why)) != RM_OK)
			return rv;
		for (size_t j = 0; j < cfg->n_foreign; j++) {
			struct trust_areas a;

			if (strcmp(cfg->foreign[j].name,
			    cfg->gateways[i].federation) == 0 &&
			    trust_areas_parse(cfg->foreign[j].areas, &a,
			    why) == RM_OK && !trust_areas_contain_agency(&a,
			    cfg->gateways[i].peer.agency))
				return rm_fail(why, RM_ECONFIG, "%s is not "
				    "inside the areas of federation %s (%s)",
				    cfg->gateways[i].peer.agency,
				    cfg->foreign[j].name,
				    cfg->foreign[j].areas);
		}
	}
	*cfg_val = NULL;
	return RM_OK;
}

/* Every peer line names another agency of the roster. */
static int
check_peers(const struct node_config *cfg, const struct roster *r,
    const char **cfg_key, const char **cfg_val, rm_why *why)
{
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const char *a = cfg->peers[i].agency;

		*cfg_key = "peer";
		*cfg_val = a;
		if (strcmp(a, cfg->agency) == 0)
			return rm_fail(why, RM_EBADVALUE, "peer %s is this "
			    "node's own agency", a);
		if (roster_find(r, a) == NULL)
			return rm_fail(why, RM_EUNKNOWNSIGNER, "peer %s is not "
			    "in roster %s version %llu", a, cfg->roster_file,
			    (unsigned long long)roster_version(r));
		if (roster_find(r, a)->removed)
			return rm_fail(why, RM_EUNKNOWNSIGNER, "peer %s was "
			    "removed from the federation (its agency record)",
			    a);
	}
	*cfg_val = NULL;
	return RM_OK;
}

int
node_check_more(const struct node_config *cfg, const struct roster *r,
    const char **cfg_key, const char **cfg_val, rm_why *why)
{
	int rv;

	*cfg_val = NULL;
	if ((rv = check_tls(cfg, cfg_key, why)) != RM_OK)
		return rv;
	if ((rv = check_gateways(cfg, r, cfg_key, cfg_val, why)) != RM_OK)
		return rv;
	return check_peers(cfg, r, cfg_key, cfg_val, why);
}

int
node_check(const struct node_config *cfg, const char **cfg_key,
    const char **cfg_val, rm_why *why)
{
	struct node *n;
	int rv;

	*cfg_val = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		return rm_fail(why, RM_ENOMEM, "out of memory");
	if ((rv = node_load_identity(n, cfg, cfg_key, why)) == RM_OK)
		rv = node_check_more(cfg, n->roster, cfg_key, cfg_val, why);
	if (rv == RM_OK && cfg->rules_file[0] != '\0') {
		struct rules_set *rs = NULL;

		*cfg_key = "rules";
		rv = rules_load(cfg->rules_file, &rs, NULL, NULL, NULL, why);
		rules_set_free(rs);
	}
	roster_free(n->roster);
	crypto_key_free(n->root);
	crypto_signer_free(n->signer);
	crypto_decrypter_free(n->decrypter);
	free(n);
	return rv;
}

/* "host:port" / "[v6]:port" -> host (brackets removed) and port. */
static int
split_hostport(const char *s, char *host, size_t hn, uint16_t *port)
{
	const char *colon = strrchr(s, ':');
	const char *h = s;
	size_t len;
	long p;
	char *end;

	if (colon == NULL)
		return RM_EINVAL;
	len = (size_t)(colon - s);
	if (s[0] == '[' && len >= 2 && s[len - 1] == ']') {
		h = s + 1;
		len -= 2;
	}
	if (len + 1 > hn)
		return RM_EINVAL;
	memcpy(host, h, len);
	host[len] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 0 || p > 65535)
		return RM_EINVAL;
	*port = (uint16_t)p;
	return RM_OK;
}

/* What node_coap_alerts hands on: devices never get restricted
 * records, not even that one exists (docs/COAP.md, PROTOCOL.md §6a). */
struct coap_public {
	alertcoap_each_fn each;
	void *ctx;
};

static int
coap_public_each(void *arg, const rm_hash *h, const uint8_t *p, size_t n,
    const struct rm_record *rec)
{
	struct coap_public *c = arg;

	if (record_restricted(rec))
		return RM_OK;
	return c->each(c->ctx, h, p, n, rec);
}

/* CoAP provider: the active alerts of an area (store_active), without
 * restricted ones. */
static int
node_coap_alerts(void *arg, const char *area, rm_utc_ms now,
    alertcoap_each_fn each, void *ctx)
{
	struct node *n = arg;
	struct coap_public c = { each, ctx };

	return store_active(n->store, &rm_kind_alert, area, now,
	    coap_public_each, &c);
}

/* Subscriber: the latest version of an alert changes its resources. */
static void
node_coap_stored(void *arg, const struct store_event *ev)
{
	struct node *n = arg;

	/* restricted: never published to devices (even on the issuing
	 * node, whose ev->rec still holds the plaintext draft) */
	if (ev->rec->kind != &rm_kind_alert || !ev->is_latest ||
	    record_restricted(ev->rec))
		return;
	alertcoap_notify(n->coap, ev->rec);
	node_devices_broadcast(n, &ev->hash);
	atomic_fetch_add(&n->ctr.coap_notified, 1);
}

static void
node_coap_figures(struct node *n, struct node_coap_stats *out)
{
	struct alertcoap_stats cs;

	alertcoap_get_stats(n->coap, &cs);
	out->requests = cs.requests;
	out->notifications = cs.notifications;
	out->observers = cs.observers;
	out->resources = cs.resources;
	out->malformed = cs.malformed;
	out->left_out = cs.left_out;
	out->restored = cs.restored;
	out->restored_sent = cs.restored_sent;
	out->dtls_ok = cs.dtls_ok;
	out->dtls_failed = cs.dtls_failed;
	out->psk_unknown = cs.psk_unknown;
	out->plain_refused = cs.plain_refused;
	out->registrations = cs.registrations;
	out->sent_non = cs.sent_non;
	out->sent_con = cs.sent_con;
	out->retransmits = cs.retransmits;
	out->acks = cs.acks;
	out->dropped_no_ack = cs.dropped_no_ack;
	out->sock_drops = cs.sock_drops;
}

/* Area resources created at start: every roster agency's areas and the
 * area code that leads the node's own agency id. */
static int
node_coap_start(struct node *n, rm_why *why)
{
	struct alertcoap_opts o;
	const char **areas = NULL;
	size_t na = 0, cap;
	char host[128], dhost[128], own[RM_AREA_CODE_MAX + 1], obsfile[4096];
	size_t i, j, k;
	int rv;

	memset(&o, 0, sizeof(o));
	if (split_hostport(n->cfg.coap_listen, host, sizeof(host),
	    &o.port) != RM_OK)
		return rm_fail(why, RM_ECONFIG, "coap_listen: \"%s\" is not "
		    "host:port", n->cfg.coap_listen);
	cap = 1;
	for (i = 0; i < roster_count(n->roster); i++)
		cap += roster_at(n->roster, i)->n_areas;
	if ((areas = calloc(cap, sizeof(*areas))) == NULL)
		return rm_fail(why, RM_ENOMEM, "coap: out of memory");
	for (i = 0; i < roster_count(n->roster); i++) {
		const struct roster_agency *a = roster_at(n->roster, i);

		for (j = 0; j < a->n_areas; j++) {
			for (k = 0; k < na; k++)
				if (strcmp(areas[k], a->areas[j]) == 0)
					break;
			if (k == na)
				areas[na++] = a->areas[j];
		}
	}
	k = strspn(n->cfg.agency, "0123456789");
	if (k < sizeof(own)) {
		memcpy(own, n->cfg.agency, k);
		own[k] = '\0';
		for (j = 0; j < na && strcmp(areas[j], own) != 0; j++)
			;
		if (area_code_valid(own) && j == na)
			areas[na++] = own;
	}
	o.host = host;
	if (strcmp(n->cfg.coaps_listen, "off") != 0 &&
	    split_hostport(n->cfg.coaps_listen, dhost, sizeof(dhost),
	    &o.dtls_port) != RM_OK) {
		free(areas);
		return rm_fail(why, RM_ECONFIG, "coaps_listen: \"%s\" is not "
		    "host:port", n->cfg.coaps_listen);
	}
	o.dtls_host = dhost;
	o.registered_only = !n->cfg.coap_allow_unregistered;
	node_devices_coap(n, &o.devices);
	o.max_age_s = n->cfg.coap_max_age_s;
	o.areas = areas;
	o.n_areas = na;
	o.served = areas;       /* on-demand resources: inside these only */
	o.n_served = na;
	if (snprintf(obsfile, sizeof(obsfile), "%s/coap-observers",
	    n->cfg.data_dir) < (int)sizeof(obsfile))
		o.observers_file = obsfile;
	o.provider.alerts = node_coap_alerts;
	o.provider.arg = n;
	rv = alertcoap_start(&o, &n->coap, why);
	free(areas);
	if (rv != RM_OK)
		return rv;
	n->coap_stats = node_coap_figures;
	return node_subscribe(n, node_coap_stored, n);
}

/* With the store open: store the `agencies` file's records it lacks,
 * and add the agency records it holds (newer ones may have come from
 * peers) to the roster checked by node_load_identity. */
static int
roster_in_use(struct node *n, rm_why *why)
{
	struct roster *r2 = NULL;
	rm_why w;
	int rv;

	/* n->roster has the file's agencies already: store its records */
	if ((rv = node_roster_from_file(n, n->roster, n->cfg.agencies_file,
	    NULL, &w)) != RM_OK)
		return rm_fail(why, rv, "agencies: %s", w.msg);
	rv = node_roster_from_store(n, n->roster, &r2, &w);
	if (rv != RM_OK)
		return rm_fail(why, rv, "agency records: %s", w.msg);
	if (roster_find(r2, n->cfg.agency) == NULL) {
		roster_free(r2);
		return rm_fail(why, RM_EUNKNOWNSIGNER, "agency %s has left the "
		    "roster", n->cfg.agency);
	}
	roster_free(n->roster);
	n->roster = r2;
	return RM_OK;
}

static void
foreign_free(struct node *n)
{
	for (size_t i = 0; i < CONFIG_FOREIGN_MAX; i++) {
		roster_free(n->foreign_roster[i]);
		n->foreign_roster[i] = NULL;
		crypto_key_free(n->foreign_root[i]);
		n->foreign_root[i] = NULL;
	}
}

/* The gateway links of the config (docs/PROTOCOL.md §12.3). */
static int
gateways_add(struct node *n, rm_why *why)
{
	for (size_t i = 0; i < n->cfg.n_gateways; i++) {
		const struct config_gateway *g = &n->cfg.gateways[i];
		struct gateway_policy pol;
		rm_why w;
		int rv;

		if ((rv = gateway_policy_parse(g->policy, &pol, &w)) != RM_OK)
			return rm_fail(why, RM_ECONFIG, "gateway %s: %s",
			    g->peer.agency, w.msg);
		if ((rv = fed_gateway_add(n->fed, g->peer.agency, g->peer.url,
		    g->peer.listen, g->federation, &pol, why)) != RM_OK)
			return rv;
	}
	return RM_OK;
}

static int
fed_setup(struct node *n, rm_why *why)
{
	struct fed_opts o;
	struct fed_foreign_opts fo[CONFIG_FOREIGN_MAX];
	int rv;

	if ((rv = node_foreign_load(n, why)) != RM_OK)
		return rv;
	memset(fo, 0, sizeof(fo));
	for (size_t i = 0; i < n->cfg.n_foreign; i++) {
		fo[i].name = n->cfg.foreign[i].name;
		fo[i].root = n->foreign_root[i];
		fo[i].areas = n->cfg.foreign[i].areas;
		fo[i].ca_file = n->cfg.foreign[i].root_file;
		fo[i].roster = n->foreign_roster[i];
	}

	memset(&o, 0, sizeof(o));
	o.agency_id = n->cfg.agency;
	o.agency_signer = n->signer;
	o.root_key = n->root;
	o.roster = n->roster;
	o.ca_file = n->cfg.ca_file;
	o.tls_cert_file = n->cfg.tls_cert_file;
	o.tls_key_file = n->cfg.tls_key_file;
	o.insecure = n->cfg.insecure;
	o.reconnect_max_ms = n->cfg.reconnect_max_ms;
	o.sync_interval_ms = n->cfg.sync_interval_ms;
	o.reconcile_interval_ms = n->cfg.reconcile_interval_s * 1000u;
	o.verify_threads = n->cfg.verify_threads;
	o.ops = &node_fed_ops;
	o.host = n;
	o.foreign = fo;
	o.n_foreign = n->cfg.n_foreign;
	if ((rv = fed_open(&o, &n->fed, why)) != RM_OK)
		return rv;
	for (size_t i = 0; i < n->cfg.n_peers; i++) {
		const struct config_peer *p = &n->cfg.peers[i];

		if ((rv = fed_peer_add(n->fed, p->agency, p->url, p->listen,
		    why)) != RM_OK)
			return rv;
	}
	return gateways_add(n, why);
}

/* Progress of a store migration at open (store_opts.migrate_progress):
 * layout 4 -> 5 reads every record to build the RBSR index. */
static void
node_migrate_progress(void *arg, uint64_t done, uint64_t total)
{
	const char *dir = arg;

	rm_log(RM_LOG_INFO, "store", "migrating %s to layout 5 (RBSR "
	    "index): %llu of %llu records", dir, (unsigned long long)done,
	    (unsigned long long)total);
}

int
node_start(struct node *n, const struct node_config *cfg, rm_why *why)
{
	struct store_opts so;
	const char *key, *val;
	rm_why w;
	int rv;

	n->started_ms = rm_utc_now_ms();
	/* libxml2 initialised once, before the HTTP workers use it */
	cap_init();
	pthread_mutex_init(&n->obs_mtx, NULL);
	pthread_mutex_init(&n->gw_mtx, NULL);
	n->obs_mtx_ok = true;
	if ((rv = node_load_identity(n, cfg, &key, &w)) != RM_OK) {
		rm_fail(why, rv, "%s: %s", key, w.msg);
		return rv;
	}
	if ((rv = node_check_more(&n->cfg, n->roster, &key, &val, &w)) !=
	    RM_OK) {
		rm_fail(why, rv, "%s: %s", key, w.msg);
		goto fail;
	}
	memset(&so, 0, sizeof(so));
	so.dir = n->cfg.data_dir;
	so.map_size_bytes = (size_t)n->cfg.map_size_mb * 1024 * 1024;
	so.group_max = n->cfg.group_max;
	so.migrate_progress = node_migrate_progress;
	so.migrate_progress_arg = n->cfg.data_dir;
	if ((rv = store_open(&so, &n->store, why)) != RM_OK)
		goto fail;
	{
		struct store_stats st;

		if (store_get_stats(n->store, &st) == RM_OK &&
		    st.migrated_from != 0)
			rm_log(RM_LOG_INFO, "store", "migrated %s from layout %u "
			    "to 5: %llu in-force items refiled with order keys, "
			    "%llu records filed in the RBSR index",
			    n->cfg.data_dir, st.migrated_from,
			    (unsigned long long)st.migrated_items,
			    (unsigned long long)st.migrated_records);
	}
	if ((rv = node_devices_open(n, why)) != RM_OK)
		goto fail;
	if ((rv = roster_in_use(n, why)) != RM_OK)
		goto fail;
	rm_log(RM_LOG_INFO, "node", "agency %s, roster %s version %llu "
	    "(%zu agencies)", n->cfg.agency, roster_federation(n->roster),
	    (unsigned long long)roster_version(n->roster),
	    roster_count(n->roster));
	if ((rv = fed_setup(n, why)) != RM_OK)
		goto fail;
	store_set_observer(n->store, node_store_observer, n);
	if (strcmp(n->cfg.coap_listen, "off") != 0 &&
	    (rv = node_coap_start(n, why)) != RM_OK)
		goto fail;
	if ((rv = node_tasks_start(n, why)) != RM_OK)
		goto fail;
	if ((rv = node_rules_start(n, why)) != RM_OK)
		goto fail;
	if ((rv = fed_start(n->fed, why)) != RM_OK)
		goto fail;
	if ((rv = http_start(n, n->cfg.http_listen, &n->http, why)) != RM_OK)
		goto fail;
	return RM_OK;
fail:
	node_stop(n);
	return rv;
}

void
node_stop(struct node *n)
{
	fed *f;
	struct alertcoap *c;

	http_stop(n->http);
	n->http = NULL;
	node_tasks_stop(n);
	node_rules_stop(n);
	/* Detach fed and the CoAP subscriber from the store observer first:
	 * records already queued may still commit while they close. */
	f = node_detach(n);
	c = n->coap;
	n->coap = NULL;
	n->coap_stats = NULL;
	if (f != NULL)
		fed_close(f);
	alertcoap_stop(c);
	node_devices_close(n);
	if (n->store != NULL) {
		store_close(n->store);
		n->store = NULL;
	}
	roster_free(n->roster);
	n->roster = NULL;
	crypto_key_free(n->root);
	n->root = NULL;
	foreign_free(n);
	crypto_signer_free(n->signer);
	n->signer = NULL;
	crypto_decrypter_free(n->decrypter);
	n->decrypter = NULL;
	if (n->obs_mtx_ok) {
		node_gw_sets_fini(n);
		pthread_mutex_destroy(&n->gw_mtx);
		pthread_mutex_destroy(&n->obs_mtx);
		n->obs_mtx_ok = false;
	}
}

void
node_http_addr(struct node *n, char *out, size_t len)
{
	char host[128];
	uint16_t port;

	if (n->http == NULL || split_hostport(n->cfg.http_listen, host,
	    sizeof(host), &port) != RM_OK) {
		snprintf(out, len, "off");
		return;
	}
	snprintf(out, len, strchr(host, ':') ? "[%s]:%u" : "%s:%u", host,
	    (unsigned)http_port(n->http));
}
