/*
 * config.c -- riskmeshd's configuration, driven by one table.
 *
 * Every key is one row of cfg_keys[]: name, type, range, default, unit,
 * help and where it lives in struct node_config. The same row drives
 * config_defaults (the default string goes through the parser),
 * config_load (parse + range check), config_check (required keys),
 * config_write (printing) and config_describe (--help).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/config/config.h"
#include "node/config/config_int.h"

enum cfg_type {
	T_AGENCY,   /* agency id */
	T_PATH,     /* file or directory; relative to the config file */
	T_LISTEN,   /* host:port */
	T_TOKEN,    /* printable ASCII secret */
	T_BOOL,
	T_U32,
	T_U64,
	T_LEVEL,    /* rm_log_level */
	T_PEER,     /* "ID dial|listen URL", repeatable */
	T_FOREIGN,  /* "NAME ROOT AREAS", repeatable */
	T_GATEWAY,  /* "ID dial|listen URL FEDERATION POLICY...", repeatable */
};

#define REPEATS(t) ((t) == T_PEER || (t) == T_FOREIGN || (t) == T_GATEWAY)

#define F_REQUIRED 0x1u
#define F_SECRET   0x2u
#define F_OFF      0x4u   /* T_LISTEN: "off" disables */

struct cfg_key {
	const char *key;
	enum cfg_type type;
	uint64_t min, max;   /* numbers: value range; strings: length range */
	const char *dflt;    /* NULL: no default */
	const char *unit;    /* NULL: none */
	const char *help;
	unsigned flags;
	size_t off;          /* field in struct node_config */
	size_t size;
};

#define FIELD(f) offsetof(struct node_config, f), \
	sizeof(((struct node_config *)0)->f)

static const struct cfg_key cfg_keys[] = {
	{ "agency", T_AGENCY, 1, RM_AGENCY_ID_MAX, NULL, NULL,
	  "this node's agency id, as listed in the roster",
	  F_REQUIRED, FIELD(agency) },
	{ "data_dir", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "directory of the LMDB store (created if absent)",
	  F_REQUIRED, FIELD(data_dir) },
	{ "key", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "agency signing key, PEM P-256 (keep 0600)",
	  F_REQUIRED, FIELD(key_file) },
	{ "ca", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "federation CA certificate, PEM (the roster's trust root)",
	  F_REQUIRED, FIELD(ca_file) },
	{ "roster", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "signed federation roster (COSE_Sign1)",
	  F_REQUIRED, FIELD(roster_file) },
	{ "agencies", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "agency records signed by the federation's registrars (RFC 8742 "
	  "CBOR sequence of COSE_Sign1), stored at start if new; optional",
	  0, FIELD(agencies_file) },
	{ "tls_cert", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "this node's TLS certificate, issued by the federation CA",
	  F_REQUIRED, FIELD(tls_cert_file) },
	{ "tls_key", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "private key of the TLS certificate, PEM (keep 0600)",
	  F_REQUIRED, FIELD(tls_key_file) },
	{ "enc_key", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "agency encryption key of restricted records, PEM P-256 (keep "
	  "0600); unset: they are shown without content",
	  0, FIELD(enc_key_file) },
	{ "http_listen", T_LISTEN, 3, CONFIG_URL_MAX - 1, "127.0.0.1:8080",
	  NULL, "HTTP/JSON API address, host:port", 0, FIELD(http_listen) },
	{ "http_token", T_TOKEN, CONFIG_TOKEN_MIN, CONFIG_TOKEN_MAX, NULL,
	  NULL, "bearer token for the HTTP API, " CONFIG_TOKEN_RULE,
	  F_REQUIRED | F_SECRET, FIELD(http_token) },
	{ "coap_listen", T_LISTEN, 3, CONFIG_URL_MAX - 1, "127.0.0.1:5683",
	  NULL, "CoAP alert server address, host:port, or off",
	  F_OFF, FIELD(coap_listen) },
	{ "coaps_listen", T_LISTEN, 3, CONFIG_URL_MAX - 1, "off", NULL,
	  "CoAP over DTLS-PSK for registered devices, host:port, or off "
	  "(needs coap_listen)", F_OFF, FIELD(coaps_listen) },
	{ "coap_allow_unregistered", T_BOOL, 0, 1, "yes", NULL,
	  "plain coap:// devices may read and observe alerts (no: only "
	  "registered devices over coaps://)", 0,
	  FIELD(coap_allow_unregistered) },
	{ "insecure", T_BOOL, 0, 1, "no", NULL,
	  "allow tcp:// peers without TLS (tests only)", 0, FIELD(insecure) },
	{ "log_level", T_LEVEL, 0, 0, "info", NULL,
	  "debug, info, notice, warn or err", 0, FIELD(log_level) },
	{ "map_size_mb", T_U64, 1, 1048576, "64", "MiB",
	  "initial LMDB map size (grows when full)", 0, FIELD(map_size_mb) },
	{ "group_max", T_U32, 1, 65536, "1024", "jobs",
	  "most store jobs committed in one transaction", 0,
	  FIELD(group_max) },
	{ "coap_max_age_s", T_U32, 0, 86400, "60", "s",
	  "CoAP Max-Age of alert resources", 0, FIELD(coap_max_age_s) },
	{ "sync_interval_ms", T_U32, 100, 86400000, "30000", "ms",
	  "periodic version-vector exchange with each peer", 0,
	  FIELD(sync_interval_ms) },
	{ "reconcile_interval_s", T_U32, 0, 604800, "600", "s",
	  "range-based set reconciliation with each peer, besides the "
	  "one after every connect (0: only on demand, riskmesh sync)", 0,
	  FIELD(reconcile_interval_s) },
	{ "reconnect_max_ms", T_U32, 100, 3600000, "5000", "ms",
	  "ceiling of the peer reconnect back-off", 0,
	  FIELD(reconnect_max_ms) },
	{ "verify_threads", T_U32, 0, 64, "0", "threads",
	  "threads verifying records from peers; 0: one per online core", 0,
	  FIELD(verify_threads) },
	{ "rules", T_PATH, 1, CONFIG_PATH_MAX - 1, NULL, NULL,
	  "monitoring and early-warning rules file (docs/RULES.md); "
	  "optional", 0, FIELD(rules_file) },
	{ "rules_auto_issue", T_BOOL, 0, 1, "no", NULL,
	  "let rules marked auto_issue issue their alerts without "
	  "confirmation", 0, FIELD(rules_auto_issue) },
	{ "rules_review_max", T_U32, 1, 4096, "4096", "proposals",
	  "open review_overdue proposals per rule; overdue risks past it "
	  "wait for a free slot (review_refused)", 0,
	  FIELD(rules_review_max) },
	{ "peer", T_PEER, 0, CONFIG_PEERS_MAX, NULL, NULL,
	  "federation link: ID dial|listen tls+tcp://HOST:PORT (repeatable)",
	  0, FIELD(peers) },
	{ "foreign", T_FOREIGN, 0, CONFIG_FOREIGN_MAX, NULL, NULL,
	  "foreign federation trusted for its areas only: NAME ROOT_CERT "
	  "AREA[,AREA...] (repeatable; docs/PROTOCOL.md §12.1)",
	  0, FIELD(foreign) },
	{ "gateway", T_GATEWAY, 0, CONFIG_GATEWAYS_MAX, NULL, NULL,
	  "gateway link to a foreign federation: ID dial|listen URL "
	  "FEDERATION kinds=K[,K] [areas=A[,A]] [grade=G] [agencies=ID[,ID]] "
	  "(repeatable; docs/PROTOCOL.md §12.3)", 0, FIELD(gateways) },
};

#define N_KEYS (sizeof(cfg_keys) / sizeof(cfg_keys[0]))

static const char *const type_names[] = {
	[T_AGENCY] = "agency-id", [T_PATH] = "path", [T_LISTEN] = "host:port",
	[T_TOKEN] = "token", [T_BOOL] = "yes|no", [T_U32] = "number",
	[T_U64] = "number", [T_LEVEL] = "level", [T_PEER] = "peer",
	[T_FOREIGN] = "foreign", [T_GATEWAY] = "gateway",
};

/*
 * Parse val into k's field of c. base: directory for relative paths
 * (NULL: taken as is). On error writes the reason to why and returns -1.
 */
static int
set_value(const struct cfg_key *k, struct node_config *c, const char *val,
    const char *base, rm_why *why)
{
	char *field = (char *)c + k->off;
	size_t len = strlen(val);
	uint64_t v;
	bool b;
	rm_log_level lvl;

	switch (k->type) {
	case T_AGENCY:
		if (!agency_id_valid(val)) {
			rm_fail(why, RM_ECONFIG, "\"%.64s\" is not an agency id "
			    "(" RM_AGENCY_ID_RULE ")", val);
			return -1;
		}
		strcpy(field, val);
		return 0;
	case T_PATH:
		if (val[0] != '/' && base != NULL) {
			if (strlen(base) + 1 + len >= k->size) {
				rm_fail(why, RM_ECONFIG, "path too long");
				return -1;
			}
			snprintf(field, k->size, "%s/%s", base, val);
			return 0;
		}
		if (len >= k->size) {
			rm_fail(why, RM_ECONFIG, "path too long");
			return -1;
		}
		strcpy(field, val);
		return 0;
	case T_LISTEN:
		if ((k->flags & F_OFF) && strcmp(val, "off") == 0) {
			strcpy(field, val);
			return 0;
		}
		if (len >= k->size || !cfg_hostport_ok(val)) {
			rm_fail(why, RM_ECONFIG, "\"%.64s\" is not HOST:PORT with "
			    "port 1..65535%s", val,
			    (k->flags & F_OFF) ? " or off" : "");
			return -1;
		}
		strcpy(field, val);
		return 0;
	case T_TOKEN:   /* CONFIG_TOKEN_RULE */
		if (len < k->min) {
			rm_fail(why, RM_ECONFIG, "too short (%zu characters, at least "
			    "%u)", len, (unsigned)k->min);
			return -1;
		}
		if (len > k->max) {
			rm_fail(why, RM_ECONFIG, "too long (%zu characters, at most "
			    "%u)", len, (unsigned)k->max);
			return -1;
		}
		for (size_t i = 0; i < len; i++) {
			if (val[i] < 0x21 || val[i] > 0x7e) {
				rm_fail(why, RM_ECONFIG, "character %zu is not "
				    "printable ASCII or is a space (%s)", i + 1,
				    CONFIG_TOKEN_RULE);
				return -1;
			}
		}
		if (val[0] == '#') {
			rm_fail(why, RM_ECONFIG, "starts with '#' (%s)",
			    CONFIG_TOKEN_RULE);
			return -1;
		}
		strcpy(field, val);
		return 0;
	case T_BOOL:
		if (cfg_parse_bool(val, &b) != 0) {
			rm_fail(why, RM_ECONFIG, "bad bool \"%.32s\" (yes|no)", val);
			return -1;
		}
		*(bool *)(void *)field = b;
		return 0;
	case T_U32:
	case T_U64:
		if (cfg_parse_u64(val, &v) != 0) {
			rm_fail(why, RM_ECONFIG, "bad number \"%.32s\"", val);
			return -1;
		}
		if (v < k->min || v > k->max) {
			rm_fail(why, RM_ECONFIG, "%llu out of range (%llu..%llu%s%s)",
			    (unsigned long long)v,
			    (unsigned long long)k->min,
			    (unsigned long long)k->max, k->unit ? " " : "",
			    k->unit ? k->unit : "");
			return -1;
		}
		if (k->type == T_U32)
			*(uint32_t *)(void *)field = (uint32_t)v;
		else
			*(uint64_t *)(void *)field = v;
		return 0;
	case T_LEVEL:
		if (rm_log_level_parse(val, &lvl) != RM_OK) {
			rm_fail(why, RM_ECONFIG, "bad level \"%.32s\" (debug|info|"
			    "notice|warn|err)", val);
			return -1;
		}
		c->log_level = lvl;
		return 0;
	case T_PEER:
		if (c->n_peers >= CONFIG_PEERS_MAX) {
			rm_fail(why, RM_ECONFIG, "too many peers (at most %d)",
			    CONFIG_PEERS_MAX);
			return -1;
		}
		if (cfg_parse_peer(val, &c->peers[c->n_peers], why) != 0)
			return -1;
		c->n_peers++;
		return 0;
	case T_FOREIGN:
		if (c->n_foreign >= CONFIG_FOREIGN_MAX) {
			rm_fail(why, RM_ECONFIG, "too many foreign federations "
			    "(at most %d)", CONFIG_FOREIGN_MAX);
			return -1;
		}
		if (cfg_parse_foreign(val, base, &c->foreign[c->n_foreign],
		    why) != 0)
			return -1;
		c->n_foreign++;
		return 0;
	case T_GATEWAY:
		if (c->n_gateways >= CONFIG_GATEWAYS_MAX) {
			rm_fail(why, RM_ECONFIG, "too many gateways (at most %d)",
			    CONFIG_GATEWAYS_MAX);
			return -1;
		}
		if (cfg_parse_gateway(val, &c->gateways[c->n_gateways], why) !=
		    0)
			return -1;
		c->n_gateways++;
		return 0;
	}
	rm_fail(why, RM_ECONFIG, "internal: unknown type");
	return -1;
}

/* Text of k's value in c (not for T_PEER). */
static void
format_value(const struct cfg_key *k, const struct node_config *c,
    char *out, size_t n)
{
	const char *field = (const char *)c + k->off;

	switch (k->type) {
	case T_AGENCY: case T_PATH: case T_LISTEN: case T_TOKEN:
		snprintf(out, n, "%s", field);
		break;
	case T_BOOL:
		snprintf(out, n, "%s", *(const bool *)(const void *)field ?
		    "yes" : "no");
		break;
	case T_U32:
		snprintf(out, n, "%u", *(const uint32_t *)(const void *)field);
		break;
	case T_U64:
		snprintf(out, n, "%llu", (unsigned long long)
		    *(const uint64_t *)(const void *)field);
		break;
	case T_LEVEL:
		snprintf(out, n, "%s", rm_log_level_name(c->log_level));
		break;
	case T_PEER: case T_FOREIGN: case T_GATEWAY:
		out[0] = '\0';
		break;
	}
}

/* How many values a repeatable key has in c. */
static size_t
rep_count(const struct cfg_key *k, const struct node_config *c)
{
	return k->type == T_PEER ? c->n_peers : k->type == T_FOREIGN ?
	    c->n_foreign : k->type == T_GATEWAY ? c->n_gateways : 0;
}

/* Text of value j of a repeatable key (as its line's value). */
static void
rep_format(const struct cfg_key *k, const struct node_config *c, size_t j,
    char *out, size_t n)
{
	if (k->type == T_PEER)
		cfg_format_peer(&c->peers[j], out, n);
	else if (k->type == T_FOREIGN)
		snprintf(out, n, "%s %s %s", c->foreign[j].name,
		    c->foreign[j].root_file, c->foreign[j].areas);
	else {
		const struct config_gateway *g = &c->gateways[j];
		size_t off;

		cfg_format_peer(&g->peer, out, n);
		off = strlen(out);
		snprintf(out + off, n - off, " %s %s", g->federation,
		    g->policy);
	}
}

/* ---------------- public ---------------- */

void
config_defaults(struct node_config *c)
{
	rm_why why;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++) {
		if (cfg_keys[i].dflt == NULL)
			continue;
		if (set_value(&cfg_keys[i], c, cfg_keys[i].dflt, NULL, &why) != 0)
			rm_fatal("config", "default of %s: %s",
			    cfg_keys[i].key, why.msg);
	}
}

int
config_set(struct node_config *c, const char *key, const char *value,
    const char *base_dir, rm_why *why)
{
	rm_why msg;

	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(cfg_keys[i].key, key) != 0)
			continue;
		if (value[0] == '\0')
			return rm_fail(why, RM_ECONFIG, "%s: empty value", key);
		if (cfg_value_carriable(value, &msg) != 0)
			return rm_fail(why, RM_ECONFIG, "%s: %s", key, msg.msg);
		if (cfg_keys[i].type == T_PATH && value[0] != '/' &&
		    base_dir != NULL &&
		    cfg_value_carriable(base_dir, &msg) != 0)
			return rm_fail(why, RM_ECONFIG, "%s: base directory: %s",
			    key, msg.msg);
		if (set_value(&cfg_keys[i], c, value, base_dir, &msg) != 0)
			return rm_fail(why, RM_ECONFIG, "%s: %s", key, msg.msg);
		return RM_OK;
	}
	return rm_fail(why, RM_ECONFIG, "%.40s: unknown key", key);
}

/* The foreign and gateway lines (docs/PROTOCOL.md §12): names unique,
 * a gateway's federation configured, gateways neither peers nor
 * repeated, tcp:// only when insecure. */
static int
check_gateways(const struct node_config *c, const char **key, long *peer,
    rm_why *why)
{
	*peer = -1;
	*key = "foreign";
	for (size_t i = 0; i < c->n_foreign; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->foreign[i].name, c->foreign[j].name) ==
			    0)
				return rm_fail(why, RM_ECONFIG, "foreign "
				    "federation %s configured twice",
				    c->foreign[i].name);
	*key = "gateway";
	for (size_t i = 0; i < c->n_gateways; i++) {
		const struct config_gateway *g = &c->gateways[i];
		bool known = false;

		for (size_t j = 0; j < c->n_foreign; j++)
			known |= strcmp(c->foreign[j].name, g->federation) == 0;
		if (!known)
			return rm_fail(why, RM_ECONFIG, "%s: federation %s has "
			    "no foreign line", g->peer.agency, g->federation);
		if (!c->insecure && strncmp(g->peer.url, "tcp://", 6) == 0)
			return rm_fail(why, RM_ECONFIG, "%s: tcp:// without TLS "
			    "needs insecure = yes", g->peer.agency);
		if (strcmp(g->peer.agency, c->agency) == 0)
			return rm_fail(why, RM_ECONFIG, "%s is this node's own "
			    "agency", g->peer.agency);
		for (size_t j = 0; j < c->n_peers; j++)
			if (strcmp(c->peers[j].agency, g->peer.agency) == 0)
				return rm_fail(why, RM_ECONFIG, "%s is also a "
				    "peer", g->peer.agency);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->gateways[j].peer.agency,
			    g->peer.agency) == 0)
				return rm_fail(why, RM_ECONFIG, "duplicate "
				    "gateway %s", g->peer.agency);
	}
	return RM_OK;
}

/*
 * Cross-field checks. On failure: *key names the key, *peer the peer
 * index (or -1), why the reason without prefix.
 */
static int
check(const struct node_config *c, const char **key, long *peer, rm_why *why)
{
	*peer = -1;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		if ((k->flags & F_REQUIRED) &&
		    ((const char *)c + k->off)[0] == '\0') {
			*key = k->key;
			rm_fail(why, RM_ECONFIG, "required key missing");
			return RM_ECONFIG;
		}
	}
	if (strnlen(c->http_token, sizeof(c->http_token)) <
	    CONFIG_TOKEN_MIN) {
		*key = "http_token";
		rm_fail(why, RM_ECONFIG, "too short (%zu characters, at least %d)",
		    strlen(c->http_token), CONFIG_TOKEN_MIN);
		return RM_ECONFIG;
	}
	if (strcmp(c->coaps_listen, "off") != 0 &&
	    strcmp(c->coap_listen, "off") == 0) {
		*key = "coaps_listen";
		rm_fail(why, RM_ECONFIG, "needs the CoAP server (coap_listen "
		    "is off)");
		return RM_ECONFIG;
	}
	if (!c->coap_allow_unregistered &&
	    strcmp(c->coaps_listen, "off") == 0) {
		*key = "coap_allow_unregistered";
		rm_fail(why, RM_ECONFIG, "no: no device could read alerts "
		    "(coaps_listen is off)");
		return RM_ECONFIG;
	}
	*key = "peer";
	if (c->n_peers > CONFIG_PEERS_MAX) {
		rm_fail(why, RM_ECONFIG, "too many peers (at most %d)",
		    CONFIG_PEERS_MAX);
		return RM_ECONFIG;
	}
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct config_peer *p = &c->peers[i];
		*peer = (long)i;
		if (!c->insecure && strncmp(p->url, "tcp://", 6) == 0) {
			rm_fail(why, RM_ECONFIG, "%s: tcp:// without TLS needs "
			    "insecure = yes", p->agency);
			return RM_ECONFIG;
		}
		if (strcmp(p->agency, c->agency) == 0) {
			rm_fail(why, RM_ECONFIG, "%s is this node's own agency",
			    p->agency);
			return RM_ECONFIG;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(c->peers[j].agency, p->agency) == 0) {
				rm_fail(why, RM_ECONFIG, "duplicate peer %s",
				    p->agency);
				return RM_ECONFIG;
			}
		}
	}
	return check_gateways(c, key, peer, why);
}

int
config_check(const struct node_config *c, rm_why *why)
{
	rm_why msg;
	const char *key;
	long peer;
	int rv;

	if ((rv = check(c, &key, &peer, &msg)) != RM_OK)
		return rm_fail(why, rv, "%s: %s", key, msg.msg);
	return RM_OK;
}

#define LINE_MAX_BYTES 4096

static void
wipe(void *p, size_t n)
{
	volatile unsigned char *v = p;

	while (n-- > 0)
		*v++ = 0;
}

int
config_load(const char *path, struct node_config *out, rm_why *why)
{
	struct node_config *c;
	char base[CONFIG_PATH_MAX];
	rm_why msg;
	unsigned seen[N_KEYS] = { 0 };          /* line first set, 0 = never */
	unsigned peer_line[CONFIG_PEERS_MAX] = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	unsigned lineno = 0;
	const char *key;
	long peer;
	FILE *f;
	int rv = RM_OK;

	if ((c = malloc(sizeof(*c))) == NULL)
		return rm_fail(why, RM_ENOMEM, "%s: out of memory", path);
	if ((f = fopen(path, "r")) == NULL) {
		rv = rm_fail(why, RM_EIO, "%s: %s", path, strerror(errno));
		free(c);
		return rv;
	}
	config_defaults(c);
	if (cfg_config_dir(path, base, sizeof(base)) != 0) {
		rv = rm_fail(why, RM_ECONFIG, "%s: directory path too long",
		    path);
		goto fail;
	}
	while ((got = getline(&line, &cap, f)) >= 0) {
		char *s, *eq, *k, *v, *hash;
		size_t i;

		lineno++;
		if ((size_t)got > LINE_MAX_BYTES) {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: line too long "
			    "(more than %d bytes)", path, lineno,
			    LINE_MAX_BYTES);
			goto fail;
		}
		if (strlen(line) != (size_t)got) {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: NUL byte in "
			    "line", path, lineno);
			goto fail;
		}
		if ((hash = cfg_comment_start(line)) != NULL)
			*hash = '\0';
		s = cfg_trim(line);
		if (*s == '\0')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			s[strcspn(s, " \t")] = '\0';
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: %.40s: expected "
			    "\"key = value\"", path, lineno, s);
			goto fail;
		}
		*eq = '\0';
		k = cfg_trim(s);
		v = cfg_trim(eq + 1);
		for (i = 0; i < N_KEYS; i++)
			if (strcmp(cfg_keys[i].key, k) == 0)
				break;
		if (i == N_KEYS) {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: %.40s: unknown "
			    "key", path, lineno, *k ? k : "(empty)");
			goto fail;
		}
		if (*v == '\0') {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: %s: empty value%s",
			    path, lineno, k, hash != NULL && hash > eq ?
			    " (a '#' after whitespace starts a comment)" : "");
			goto fail;
		}
		if (!REPEATS(cfg_keys[i].type) && seen[i] != 0) {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: %s: duplicate "
			    "key (first set on line %u)", path, lineno, k,
			    seen[i]);
			goto fail;
		}
		if (seen[i] == 0)
			seen[i] = lineno;
		if (cfg_keys[i].type == T_PEER && c->n_peers < CONFIG_PEERS_MAX)
			peer_line[c->n_peers] = lineno;
		if (set_value(&cfg_keys[i], c, v, base, &msg) != 0) {
			rv = rm_fail(why, RM_ECONFIG, "%s:%u: %s: %s", path,
			    lineno, k, msg.msg);
			goto fail;
		}
	}
	if (ferror(f)) {
		rv = rm_fail(why, RM_EIO, "%s:%u: read error", path, lineno);
		goto fail;
	}
	if ((rv = check(c, &key, &peer, &msg)) != RM_OK) {
		unsigned at = lineno > 0 ? lineno : 1;
		for (size_t i = 0; i < N_KEYS; i++)
			if (strcmp(cfg_keys[i].key, key) == 0 && seen[i])
				at = seen[i];
		if (peer >= 0)
			at = peer_line[peer];
		rv = rm_fail(why, rv, "%s:%u: %s: %s", path, at, key, msg.msg);
		goto fail;
	}
	*out = *c;
fail:
	wipe(c, sizeof(*c));   /* holds the token */
	free(c);
	free(line);
	fclose(f);
	return rv;
}

/* 0 if every value config_write would print reads back unchanged. */
static int
carriable(const struct node_config *c, bool show_secrets)
{
	char val[CONFIG_PATH_MAX + CONFIG_POLICY_MAX + 400];
	rm_why why;

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (REPEATS(k->type)) {
			for (size_t j = 0; j < rep_count(k, c) &&
			    j < k->max; j++) {
				rep_format(k, c, j, val, sizeof(val));
				if (cfg_value_carriable(val, &why) != 0)
					return -1;
			}
			continue;
		}
		if ((k->flags & F_SECRET) && !show_secrets)
			continue;
		format_value(k, c, val, sizeof(val));
		if (cfg_value_carriable(val, &why) != 0)
			return -1;
	}
	return 0;
}

int
config_write(const struct node_config *c, FILE *f, bool comments,
    bool show_secrets)
{
	char val[CONFIG_PATH_MAX + CONFIG_POLICY_MAX + 400];

	if (c->n_peers > CONFIG_PEERS_MAX || c->n_foreign > CONFIG_FOREIGN_MAX ||
	    c->n_gateways > CONFIG_GATEWAYS_MAX ||
	    carriable(c, show_secrets) != 0)
		return RM_ECONFIG;
	if (comments)
		fprintf(f, "# Syntax: key = value, one per line. A comment "
		    "starts at a '#' that begins\n# the line or follows a "
		    "space or tab; any other '#' is part of the value.\n");
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (comments) {
			fprintf(f, "\n# %s", k->help);
			if (k->unit != NULL)
				fprintf(f, " (%s)", k->unit);
			if (k->dflt != NULL)
				fprintf(f, "; default %s", k->dflt);
			else if (k->flags & F_REQUIRED)
				fprintf(f, "; required");
			fputc('\n', f);
		}
		if (REPEATS(k->type)) {
			for (size_t j = 0; j < rep_count(k, c); j++) {
				rep_format(k, c, j, val, sizeof(val));
				fprintf(f, "%s = %s\n", k->key, val);
			}
			if (rep_count(k, c) == 0 && comments)
				fprintf(f, "# %s = %s\n", k->key,
				    k->type == T_PEER ? "ID dial tls+tcp://"
				    "HOST:PORT" : k->type == T_FOREIGN ? "NAME "
				    "ROOT_CERT AREA[,AREA...]" : "ID dial "
				    "tls+tcp://HOST:PORT FEDERATION kinds=alert");
			continue;
		}
		if ((k->flags & F_SECRET) && !show_secrets) {
			fprintf(f, "# %s = (hidden)\n", k->key);
			continue;
		}
		format_value(k, c, val, sizeof(val));
		if (val[0] == '\0')
			fprintf(f, "# %s = (unset)\n", k->key);
		else
			fprintf(f, "%s = %s\n", k->key, val);
	}
	return ferror(f) ? RM_EIO : RM_OK;
}

void
config_describe(void (*each)(void *arg, const char *key, const char *type,
    const char *dflt, const char *help), void *arg)
{
	char help[256];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];

		if (k->type == T_U32 || k->type == T_U64)
			snprintf(help, sizeof(help), "%s (%llu..%llu%s%s)",
			    k->help, (unsigned long long)k->min,
			    (unsigned long long)k->max, k->unit ? " " : "",
			    k->unit ? k->unit : "");
		else
			snprintf(help, sizeof(help), "%s", k->help);
		each(arg, k->key, type_names[k->type],
		    k->dflt ? k->dflt :
		    (k->flags & F_REQUIRED) ? "required" : "", help);
	}
}
