/*
 * config.h -- riskmeshd's configuration: one table drives parsing,
 * checking (`riskmeshd -n`), printing the effective configuration and
 * writing a fresh node.conf (`riskmesh node config`).
 *
 * File syntax (docs/OPERATIONS.md): one `key = value` per line; `#`
 * starts a comment; blank lines ignored; values are taken verbatim after
 * trimming (no quoting). `peer` may repeat:
 *
 *   agency       = 120116.gov
 *   data_dir     = /var/lib/riskmesh
 *   key          = /etc/riskmesh/120116.gov.key     # agency signing key
 *   ca           = /etc/riskmesh/ca.crt             # federation root
 *   roster       = /etc/riskmesh/roster.cose
 *   tls_cert     = /etc/riskmesh/120116.gov.crt
 *   tls_key      = /etc/riskmesh/120116.gov.tls.key
 *   http_listen  = 127.0.0.1:8080
 *   http_token   = <bearer token, >= 16 chars>
 *   coap_listen  = 127.0.0.1:5683
 *   peer         = 120000.command dial tls+tcp://127.0.0.1:7101
 *   peer         = 120103.gov listen tls+tcp://127.0.0.1:7105
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

struct config_peer {
	char agency[RM_AGENCY_ID_MAX + 1];
	bool listen;                      /* false: dial */
	char url[CONFIG_URL_MAX];         /* tls+tcp://host:port or tcp:// */
};

struct node_config {
	char agency[RM_AGENCY_ID_MAX + 1];
	char data_dir[CONFIG_PATH_MAX];
	char key_file[CONFIG_PATH_MAX];
	char ca_file[CONFIG_PATH_MAX];
	char roster_file[CONFIG_PATH_MAX];
	char tls_cert_file[CONFIG_PATH_MAX];
	char tls_key_file[CONFIG_PATH_MAX];
	char http_listen[CONFIG_URL_MAX];  /* host:port, default 127.0.0.1:8080 */
	char http_token[CONFIG_TOKEN_MAX + 1];
	char coap_listen[CONFIG_URL_MAX];  /* host:port, default 127.0.0.1:5683; "off" disables */
	bool insecure;                     /* allow tcp:// peers (tests only) */
	rm_log_level log_level;            /* default info */
	uint64_t map_size_mb;              /* LMDB initial map, default 64 */
	uint32_t group_max;                /* jobs per commit, default 256 */
	uint32_t coap_max_age_s;           /* default 60 */
	uint32_t sync_interval_ms;         /* periodic vector exchange, 30000 */
	uint32_t reconnect_max_ms;         /* back-off ceiling, 5000 */
	size_t n_peers;
	struct config_peer peers[CONFIG_PEERS_MAX];
};

/* Fill every field with its default. */
void config_defaults(struct node_config *c);

/* Parse a config file (defaults first), then check it (config_check).
 * Errors: RM_EIO (unreadable), RM_ECONFIG with "FILE:LINE: KEY: why". */
int config_load(const char *path, struct node_config *out, rm_why *why);

/* Cross-field checks: required keys present, peers' URL schemes allowed
 * (tcp:// only with insecure), token length, no duplicate peers. */
int config_check(const struct node_config *c, rm_why *why);

/* Write c in file syntax (every key, with its help text as a comment
 * when `comments`); used by `riskmeshd -n -v` and `riskmesh node config`.
 * The token is printed only if show_secrets. */
int config_write(const struct node_config *c, FILE *f, bool comments,
    bool show_secrets);

/* One-line help for each key, for --help output: calls each(key, help). */
void config_describe(void (*each)(void *arg, const char *key,
    const char *type, const char *dflt, const char *help), void *arg);

#endif /* RM_NODE_CONFIG_H */
