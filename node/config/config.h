/*
 * config.h -- riskmeshd's configuration: one table drives parsing,
 * checking (`riskmeshd -n`), printing the effective configuration and
 * writing a fresh node.conf (`riskmesh node config`).
 *
 * File syntax (docs/OPERATIONS.md): one `key = value` per line; blank
 * lines ignored; values are taken verbatim after trimming spaces and tabs
 * (no quoting). A comment starts at a `#` that begins the line (after
 * optional whitespace) or that follows a space or tab, and runs to the
 * end of the line; any other `#` is part of the value (`a#b` is a value,
 * `a #b` is `a` plus a comment). So a value cannot start or end with
 * whitespace, start with `#`, contain whitespace followed by `#`, or
 * contain a line break; config_set refuses such values, so whatever
 * config_write prints loads back unchanged. `peer` may repeat:
 *
 *   agency       = 120116.gov
 *   data_dir     = /var/lib/riskmesh
 *   key          = /etc/riskmesh/120116.gov.key     # agency signing key
 *   ca           = /etc/riskmesh/ca.crt             # federation root
 *   roster       = /etc/riskmesh/roster.cose
 *   tls_cert     = /etc/riskmesh/120116.gov.crt
 *   tls_key      = /etc/riskmesh/120116.gov.tls.key
 *   enc_key      = /etc/riskmesh/120116.gov.enc.key # optional, §6a
 *   http_listen  = 127.0.0.1:8080
 *   http_token   = <bearer token: CONFIG_TOKEN_RULE>
 *   coap_listen  = 127.0.0.1:5683
 *   coaps_listen = 127.0.0.1:5684                  # registered devices
 *   peer         = 120000.command dial tls+tcp://127.0.0.1:7101
 *   peer         = 120103.gov listen tls+tcp://127.0.0.1:7105
 *   foreign      = beijing /etc/riskmesh/beijing-ca.crt 110000
 *   gateway      = 110000.gateway dial tls+tcp://10.0.0.9:7301 beijing \
 *                  kinds=alert,agency areas=110000,120000 grade=yellow
 *
 * `foreign` (NAME ROOT AREAS) and `gateway` (ID dial|listen URL
 * FEDERATION POLICY...) repeat too: docs/PROTOCOL.md §12 (one line in
 * the file; the backslash above is only for this comment).
 *
 * Relative paths are resolved against the config file's directory.
 * Errors are reported as "FILE:LINE: KEY: why" in rm_why.
 */
#ifndef RM_NODE_CONFIG_H
#define RM_NODE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"
#include "schemas/schemas.h"

#define CONFIG_PATH_MAX   1024
#define CONFIG_PEERS_MAX  64
#define CONFIG_URL_MAX    256
#define CONFIG_TOKEN_MIN  16
#define CONFIG_TOKEN_MAX  128

#define CONFIG_STR_(x)    #x
#define CONFIG_STR(x)     CONFIG_STR_(x)
/* The one statement of the http_token rule, used by the config table's
 * help, `riskmesh node config --help` and the docs; set_value checks
 * exactly this. */
#define CONFIG_TOKEN_RULE CONFIG_STR(CONFIG_TOKEN_MIN) ".." \
	CONFIG_STR(CONFIG_TOKEN_MAX) " printable ASCII characters, no " \
	"spaces, not starting with '#'"

struct config_peer {
	char agency[RM_AGENCY_ID_MAX + 1];
	bool listen;                      /* false: dial */
	char url[CONFIG_URL_MAX];         /* tls+tcp://host:port or tcp:// */
};

#define CONFIG_FOREIGN_MAX   16     /* TRUST_FOREIGN_MAX */
#define CONFIG_GATEWAYS_MAX  16
#define CONFIG_FED_NAME_MAX  64     /* ROSTER_FED_NAME_MAX */
#define CONFIG_AREAS_MAX     256    /* bytes of an area list */
#define CONFIG_POLICY_MAX    2048   /* GATEWAY_POLICY_MAX */

/* A foreign federation trusted for its areas (docs/PROTOCOL.md §12.1):
 * `foreign = NAME ROOT AREAS`. */
struct config_foreign {
	char name[CONFIG_FED_NAME_MAX + 1];  /* its charter's "federation" */
	char root_file[CONFIG_PATH_MAX];     /* its root certificate, PEM */
	char areas[CONFIG_AREAS_MAX];        /* "110000,120100": digits and
	                                        commas; checked at start */
};

/* A gateway link (docs/PROTOCOL.md §12.3): `gateway = ID dial|listen URL
 * FEDERATION POLICY...`; the policy text is checked by riskmeshd
 * (gateway_policy_parse). */
struct config_gateway {
	struct config_peer peer;
	char federation[CONFIG_FED_NAME_MAX + 1]; /* a config_foreign name */
	char policy[CONFIG_POLICY_MAX];      /* "kinds=alert areas=..." */
};

struct node_config {
	char agency[RM_AGENCY_ID_MAX + 1];
	char data_dir[CONFIG_PATH_MAX];
	char key_file[CONFIG_PATH_MAX];
	char ca_file[CONFIG_PATH_MAX];
	char roster_file[CONFIG_PATH_MAX];
	char agencies_file[CONFIG_PATH_MAX]; /* "" if not configured */
	char tls_cert_file[CONFIG_PATH_MAX];
	char tls_key_file[CONFIG_PATH_MAX];
	char enc_key_file[CONFIG_PATH_MAX]; /* "" = none (optional): the
	                                      agency's key for reading
	                                      restricted records */
	char http_listen[CONFIG_URL_MAX];  /* host:port, default 127.0.0.1:8080 */
	char http_token[CONFIG_TOKEN_MAX + 1];
	char coap_listen[CONFIG_URL_MAX];  /* host:port, default 127.0.0.1:5683; "off" disables */
	char coaps_listen[CONFIG_URL_MAX]; /* host:port for DTLS-PSK devices,
	                                      default "off" */
	bool coap_allow_unregistered;      /* plain coap:// reads, default yes */
	bool insecure;                     /* allow tcp:// peers (tests only) */
	rm_log_level log_level;            /* default info */
	uint64_t map_size_mb;              /* LMDB initial map, default 64 */
	uint32_t group_max;                /* jobs per commit, default 1024 */
	uint32_t coap_max_age_s;           /* default 60 */
	uint32_t sync_interval_ms;         /* periodic vector exchange, 30000 */
	uint32_t reconcile_interval_s;     /* periodic RBSR, 600; 0 = on
	                                      demand only */
	uint32_t reconnect_max_ms;         /* back-off ceiling, 5000 */
	uint32_t verify_threads;           /* peer record verifiers, 0 = cores */
	char rules_file[CONFIG_PATH_MAX];  /* "" = none: monitoring rules
	                                      (docs/RULES.md) */
	bool rules_auto_issue;             /* the agency lets rules marked
	                                      auto_issue issue alerts */
	uint32_t rules_review_max;         /* open review proposals per
	                                      rule, 1..4096, default 4096
	                                      (NODE_REVIEW_HELD_MAX) */
	size_t n_peers;
	struct config_peer peers[CONFIG_PEERS_MAX];
	size_t n_foreign;
	struct config_foreign foreign[CONFIG_FOREIGN_MAX];
	size_t n_gateways;
	struct config_gateway gateways[CONFIG_GATEWAYS_MAX];
};

/* Fill every field with its default. */
void config_defaults(struct node_config *c);

/*
 * Parse a config file (defaults first), then check it (config_check).
 * Values: bools are yes|no (also true/false, on/off, 1/0); numbers are
 * decimal within the key's range; http_token follows CONFIG_TOKEN_RULE;
 * comments as in the file syntax above. Lines are at most 4096 bytes. Cross-field errors are reported at the line that
 * set the key (missing keys: at the last line).
 * On error *out is unchanged.
 * Errors: RM_EIO (unreadable, "FILE: strerror"), RM_ECONFIG with
 * "FILE:LINE: KEY: why" (unknown key, bad number, out of range, bad
 * bool, bad peer line, duplicate key, required key missing, ...).
 */
int config_load(const char *path, struct node_config *out, rm_why *why);

/*
 * Set one key from its text value with the same parser config_load uses
 * (`peer` appends a peer). Relative paths are resolved against base_dir
 * when it is non-NULL. Does not run config_check. Also refuses a value
 * (or a base_dir it is joined to) that the file syntax cannot carry:
 * line break, leading/trailing whitespace, leading '#', whitespace
 * before '#'. On error *c is unchanged.
 * Errors: RM_ECONFIG with "KEY: why" (unknown key, empty value, bad
 * value, value the file cannot carry).
 */
int config_set(struct node_config *c, const char *key, const char *value,
    const char *base_dir, rm_why *why);

/* Cross-field checks: required keys present, token length within
 * CONFIG_TOKEN_MIN..CONFIG_TOKEN_MAX, peers' URL schemes allowed (tcp:// only with insecure), no
 * duplicate peers (gateways included), no peer equal to the node's own
 * agency, foreign names unique, every gateway's federation a foreign
 * name.
 * Errors: RM_ECONFIG with "KEY: why". All functions here are reentrant
 * (no shared state); config_defaults aborts only on a broken table. */
int config_check(const struct node_config *c, rm_why *why);

/*
 * Write c in file syntax, one `key = value` per line in table order,
 * peers as `peer = ID dial|listen URL` (with the key's help, unit and
 * default as a comment line above each key when `comments`); the output
 * loads back with config_load. Used by `riskmeshd -n -v`, `riskmesh
 * node check -v` and `riskmesh node config`. The token is printed only
 * if show_secrets (else a "# http_token = (hidden)" line, so that
 * output does not load). With `comments` the output starts with a
 * comment stating the syntax (where comments start).
 * Errors: RM_ECONFIG, nothing written, if a value (set directly in *c,
 * not through config_set) cannot be carried by the file syntax;
 * RM_EIO if the stream failed.
 */
int config_write(const struct node_config *c, FILE *f, bool comments,
    bool show_secrets);

/*
 * For --help output: calls each() once per key in table order with its
 * type name ("path", "number", "yes|no", "host:port", ...), its default
 * ("required" for required keys, "" if none) and its one-line help
 * (with range and unit for numbers). Strings live during the call only.
 */
void config_describe(void (*each)(void *arg, const char *key,
    const char *type, const char *dflt, const char *help), void *arg);

#endif /* RM_NODE_CONFIG_H */
