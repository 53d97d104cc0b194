/*
 * cli.h -- internals of the `riskmesh` operator CLI (node/cli_*.c).
 *
 * Each command is one struct cli_cmd: its name ("agency add"), a
 * synopsis, a summary, an option table and a run function. cli_main.c
 * parses argv against the table (so every command gets --help, and
 * unknown options / missing arguments are refused the same way) and
 * calls run with the parsed arguments.
 *
 * Exit status: 0 success, 1 runtime failure (message names the file or
 * field and the reason), 2 usage error (message + usage on stderr).
 */
#ifndef RM_NODE_CLI_H
#define RM_NODE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/common.h"
#include "crypto/crypto.h"
#include "federation/trust/trust.h"

#define CLI_EXIT_OK     0
#define CLI_EXIT_FAIL   1
#define CLI_EXIT_USAGE  2

#define CLI_OPTS_MAX    32   /* options per command */
#define CLI_MULTI_MAX   64   /* values of one repeatable option */
#define CLI_POS_MAX     8    /* positional arguments */

#define CLI_REQUIRED    0x1u /* option must be given */
#define CLI_MULTI       0x2u /* option may repeat */

struct cli_opt {
	const char *name;    /* long name without "--" */
	char short_name;     /* e.g. 'c' for -c; 0 if none */
	const char *metavar; /* NULL: a flag without value */
	unsigned flags;      /* CLI_REQUIRED, CLI_MULTI */
	const char *help;
};

struct cli_args;

struct cli_cmd {
	const char *name;        /* "agency add" */
	const char *synopsis;    /* arguments part of the usage line */
	const char *summary;     /* one line, for `riskmesh --help` */
	const char *details;     /* paragraph for --help; may be NULL */
	const struct cli_opt *opts;  /* terminated by { NULL } */
	size_t min_pos, max_pos; /* positional arguments allowed */
	int (*run)(const struct cli_args *a);
	void (*extra_help)(void);    /* optional, after the options */
};

struct cli_args {
	const struct cli_cmd *cmd;
	size_t n[CLI_OPTS_MAX];                      /* times given */
	const char *val[CLI_OPTS_MAX][CLI_MULTI_MAX];
	size_t n_pos;
	const char *pos[CLI_POS_MAX];
};

/* Value of option `name` (the last one given), or NULL. */
const char *cli_get(const struct cli_args *a, const char *name);
/* True if the flag or option was given. */
bool cli_has(const struct cli_args *a, const char *name);
/* All values of a repeatable option; returns the count. */
size_t cli_all(const struct cli_args *a, const char *name,
    const char *const **out);

/* Print "riskmesh CMD: message", the usage line and a --help hint to
 * stderr; returns CLI_EXIT_USAGE. */
int cli_usage(const struct cli_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Print "riskmesh CMD: message" to stderr; returns CLI_EXIT_FAIL. */
int cli_fail(const struct cli_cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* cli_fail with "PATH: why", or just "why" if it already names PATH. */
int cli_fail_file(const struct cli_cmd *c, const char *path,
    const rm_why *why);

/* Split a comma-separated list in place into at most max items; returns
 * the count or -1 if there are more, or an item is empty. */
int cli_split(char *s, char sep, char **items, size_t max);

/* ---------------- federation directory (cli_feddir.c) ---------------- */

/* Paths inside a federation directory. */
#define FEDDIR_ROOT_KEY  "root.key"
#define FEDDIR_CA        "ca.crt"
#define FEDDIR_ROSTER    "roster.cose"
#define FEDDIR_AGENCIES  "agencies"
#define FEDDIR_RECORDS   "agencies.cbor"   /* registrars' logs */
#define FEDDIR_SIGNERS_MAX 64              /* registrars used at once */

struct registry;

struct feddir {
	char dir[1024];          /* absolute */
	crypto_signer *root;     /* the root's signer, or NULL */
	struct roster *charter;  /* roster.cose as the root signed it */
	struct roster *roster;   /* view: charter + latest agency records */
	struct registry *reg;    /* DIR/agencies.cbor, read and verified */
	size_t n_signers;        /* registrar signers opened so far */
	struct {
		char id[RM_AGENCY_ID_MAX + 1];
		crypto_signer *s;
	} signers[FEDDIR_SIGNERS_MAX];
};

/* Open DIR: open root.key as a signer if want_root (else read the CA
 * certificate's public key), verify + load roster.cose (the charter),
 * read and verify DIR/agencies.cbor against it and build the roster
 * view (charter + newest agency records). Prints the error. */
int feddir_open(const struct cli_cmd *c, const char *dir, bool want_root,
    struct feddir *out);
void feddir_close(struct feddir *fd);
/* Build "DIR/rel" into out; -1 if it does not fit. */
int feddir_path(const struct feddir *fd, char *out, size_t n,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Write a new charter: every current charter entry, replaced/added by
 * the n given entries, version + 1, signed by the root key; the view is
 * rebuilt on it. Prints the error. */
int feddir_save_roster(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *add, size_t n);
/* Rebuild fd->roster from fd->charter and fd->reg. Prints the error. */
int feddir_view(const struct cli_cmd *c, struct feddir *fd);
/* Write the staged agency records to DIR/agencies.cbor and rebuild the
 * view. Prints the error. */
int feddir_commit(const struct cli_cmd *c, struct feddir *fd);

/* ---------------- registrars (cli_registrar.c) ---------------- */

/* "120000.registry" for an agency whose first area starts "12". */
void registrar_id(const char *area, char out[RM_AGENCY_ID_MAX + 1]);
/* Every area of e lies in the province of its first area; else -1
 * with the reason in why. */
int registrar_areas_ok(const struct roster_agency *e, rm_why *why);
/* The registrars the n agencies need (by their first area) that the
 * charter lacks are added to it: their signing keys made
 * (DIR/agencies/REG/agency.key, 0600) and the charter re-signed once.
 * Needs the root. Prints what it did and any error. */
int feddir_registrars(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *es, size_t n);
/* The signer of registrar reg (opened once, owned by fd). Prints the
 * error. */
int feddir_registrar_signer(const struct cli_cmd *c, struct feddir *fd,
    const char *reg, crypto_signer **out);

/* ---------------- agency records (cli_registry.c) ---------------- */

/*
 * DIR/agencies.cbor: the registrars' logs, one RFC 8742 CBOR sequence of
 * signed agency records (fed_record_seal output) in log order, only
 * ever appended (O_APPEND, then fsync). Loaded whole and verified
 * against the charter; new records are staged in memory and written by
 * registry_commit in one write.
 */
struct reg_agency {
	char id[RM_AGENCY_ID_MAX + 1];
	uint64_t ver;               /* latest version */
	rm_hash hash;               /* its record hash */
	rm_utc_ms issued;
	size_t off, len;            /* its COSE_Sign1 in registry_data */
	struct roster_agency entry; /* the roster entry it gives */
};

/* Read and verify path (a missing file is an empty registry): each
 * record is a COSE_Sign1 that fed_record_open accepts against charter,
 * of kind agency; its registrar's log is unbroken (seq + 1, prev = the
 * previous hash) and its version follows the agency's latest (ver + 1,
 * supersedes = its hash). Errors name the record index (0-based) and
 * byte offset: RM_EMALFORMED (truncated, not CBOR), the fed_record_open
 * errors, RM_EGAP (log or version gap), RM_EIO, RM_ENOMEM. */
int registry_load(const char *path, const struct roster *charter,
    struct registry **out, rm_why *why);
void registry_free(struct registry *reg);
/* Records in the registry (committed + staged). */
size_t registry_records(const struct registry *reg);
/* Agencies described; their latest versions by index (0..n-1, in the
 * order they first appeared). */
size_t registry_count(const struct registry *reg);
const struct reg_agency *registry_at(const struct registry *reg, size_t i);
const struct reg_agency *registry_find(const struct registry *reg,
    const char *id);
/* The whole sequence (committed + staged). Borrowed. */
const uint8_t *registry_data(const struct registry *reg, size_t *n);
/* Decode the latest record of ra into *rec (record_fini it). */
int registry_record(const struct registry *reg, const struct reg_agency *ra,
    struct rm_record *rec, rm_why *why);
/* Sign and stage the next version of agency body b (its id and areas)
 * as the next record of registrar reg_id's log with signer s. issued:
 * now, at least the log's and the agency's previous record's + 1 ms. */
int registry_append(struct registry *reg, crypto_signer *s,
    const char *reg_id, const struct rm_agency *b, rm_why *why);
/* Append the staged records to path (O_APPEND|O_CREAT, 0644, one
 * write, fsync). Nothing staged: nothing written. */
int registry_commit(struct registry *reg, const char *path, rm_why *why);
/* Stage a fork_resolution record (docs/PROTOCOL.md §7) signed by
 * registrar reg_id with s: keep ref->keep in ref->origin's log at
 * ref->seq; area is one of the origin's areas. RM_EEXIST if this
 * directory resolved that fork already, unless again: then a new
 * version superseding the last (to correct a wrong keep). */
int registry_append_resolution(struct registry *reg, crypto_signer *s,
    const char *reg_id, const struct rm_fork_ref *ref, const char *area,
    bool again, rm_why *why);
/* A roster view: charter + the latest entries (roster_apply); entries
 * roster_apply skips are printed on stderr after prefix. */
int registry_view(const struct registry *reg, const struct roster *charter,
    const char *prefix, struct roster **out, rm_why *why);
/* mkdir -p with mode for the directories it creates; RM_EIO on error
 * with why naming the path. */
int cli_mkdirs(const char *path, unsigned mode, rm_why *why);
/* Make an absolute path of p (relative to cwd) without resolving
 * links; -1 if it does not fit. */
int cli_abspath(const char *p, char *out, size_t n);

/* ---------------- agency helpers (cli_agency.c) ---------------- */

/* centre | department | district */
bool cli_role_ok(const char *role);
/* Area codes / kinds separated by sep into e; -1 with the reason in why. Kinds:
 * unknown ones are an error if strict, else skipped. */
int cli_parse_areas(struct roster_agency *e, const char *list, char sep,
    rm_why *why);
int cli_parse_kinds(struct roster_agency *e, const char *list, char sep,
    bool strict, rm_why *why);
/* --days for agency certificates (default 825); usage error if bad. */
int cli_parse_days_opt(const struct cli_args *a, unsigned *days);
/* agency.key and tls.key (kept if present unless rotate), tls.crt
 * issued by the CA; sets e->key (caller frees). Prints the error. */
int cli_agency_provision(const struct cli_cmd *c, struct feddir *fd,
    struct roster_agency *e, unsigned days, bool rotate);
/* "added ID (role) areas ... max G kinds K kid PREFIX" */
void cli_print_added(const struct roster_agency *e);
/* Kind names of a set, "alert,..." (sorted). */
void cli_kinds_text(rm_kind_set kinds, char *out, size_t n);
/* Kinds an agency record may grant: every registered kind but
 * "agency" (only the charter names registrars). */
rm_kind_set cli_agency_kinds(void);
/*
 * Stage the agency record for e (fields; e->key as its current key: a
 * rotation when it differs from the latest record's, the old key closed
 * at now) in fd's registry, signed by its province's registrar, the
 * key history of the latest version kept. *changed false: identical to
 * the latest version, nothing staged. Prints the error.
 */
int cli_agency_stage(const struct cli_cmd *c, struct feddir *fd,
    const struct roster_agency *e, bool *changed);
/* True unless the agency has a latest record without a key in use
 * (revoked, rotated away, removed): then it needs a new key. */
bool cli_agency_key_usable(const struct feddir *fd, const char *id);
/* The latest agency record of id in fd's registry, decoded into *rec
 * (record_fini it). Prints the error (not an agency of the records). */
int cli_agency_latest(const struct cli_cmd *c, const struct feddir *fd,
    const char *id, struct rm_record *rec);
/* Sign body b as the next version of its agency, by the registrar of
 * its first area, and stage it. Prints the error. */
int cli_agency_sign(const struct cli_cmd *c, struct feddir *fd,
    const struct rm_agency *b);
/* Close every open key of b at `at` (later than its from) with end. */
void cli_agency_close_keys(struct rm_agency *b, rm_utc_ms at,
    enum rm_key_end end);
/* An agency's key state at now for listings: "active", "active until
 * TIME (revoked)", or how its last key ended ("rotated", "revoked"), or
 * "removed". */
void cli_key_state(const struct roster_agency *a, rm_utc_ms now, char *out,
    size_t n);

/* ---------------- HTTP client (cli_http.c) ---------------- */

struct cli_http_res {
	int status;          /* HTTP status code */
	char *body;          /* NUL-terminated copy of the body (heap) */
	size_t len;
};

/*
 * One request to a node's API: listen is node.conf's http_listen
 * (a wildcard address is dialled on loopback), path includes the
 * query. body may be NULL. Timeout 15 s. On transport failure returns
 * RM_ENET/RM_ETIMEDOUT with why naming the URL and reason; an HTTP error
 * status is not a failure here.
 */
int cli_http(const char *listen, const char *token, const char *method,
    const char *path, const char *body, struct cli_http_res *out,
    rm_why *why);
/* The same with a body of n bytes of content type ctype (body NULL:
 * none). */
int cli_http_send(const char *listen, const char *token, const char *method,
    const char *path, const char *ctype, const void *body, size_t n,
    struct cli_http_res *out, rm_why *why);
void cli_http_res_fini(struct cli_http_res *r);

/* Percent-encode s as one URL path segment or query value (RFC 3986
 * section 2.1): every byte but the unreserved A-Z a-z 0-9 - . _ ~
 * becomes %XX. Returns 0, or -1 if out[n] is too small. Callers refuse
 * "." and ".." themselves: URL parsers remove such dot segments, even
 * percent-encoded (RFC 3986 section 6.2.2.2). */
int cli_pct_encode(const char *s, char *out, size_t n);

/* ---------------- commands ---------------- */

extern const struct cli_cmd cli_federation_init;
extern const struct cli_cmd cli_agency_add;
extern const struct cli_cmd cli_agency_import;
extern const struct cli_cmd cli_agency_list;
extern const struct cli_cmd cli_agency_rotate;
extern const struct cli_cmd cli_agency_revoke;
extern const struct cli_cmd cli_agency_remove;
extern const struct cli_cmd cli_roster_import;
extern const struct cli_cmd cli_roster_publish;
extern const struct cli_cmd cli_risk_add;
extern const struct cli_cmd cli_risk_update;
extern const struct cli_cmd cli_risk_remove;
extern const struct cli_cmd cli_risk_list;
extern const struct cli_cmd cli_risk_import;
/* cli_risk_views.c */
extern const struct cli_cmd cli_risk_summary;
extern const struct cli_cmd cli_risk_diff;
extern const struct cli_cmd cli_device_add;   /* cli_device.c */
extern const struct cli_cmd cli_device_list;
extern const struct cli_cmd cli_device_remove;
extern const struct cli_cmd cli_alert_reach;
extern const struct cli_cmd cli_task_add;     /* cli_task.c */
extern const struct cli_cmd cli_task_ack;
extern const struct cli_cmd cli_task_close;
extern const struct cli_cmd cli_task_list;
extern const struct cli_cmd cli_task_show;
/* `risk import -c NODE.CONF FILE.csv` (cli_risk_upload.c): the file sent
 * to the node, its report printed; run by cli_risk_import without
 * --check. */
int cli_risk_upload(const struct cli_args *a);
extern const struct cli_cmd cli_rules_check;      /* cli_rules.c */
extern const struct cli_cmd cli_proposal_list;
extern const struct cli_cmd cli_proposal_confirm;
/* agency import / roster import (cli_import.c): csv is the CSV path. */
int cli_import_run(const struct cli_args *a, const char *csv);
extern const struct cli_cmd cli_node_config;
struct node_config;
/* Write cf to path (0600, atomically) as `riskmesh node config` does:
 * header (comment lines), then config_write with comments and the
 * token; the text is wiped after. Returns CLI_EXIT_OK or the exit
 * status after printing the error. */
int cli_conf_write(const struct cli_cmd *c, const char *path,
    const struct node_config *cf, const char *header);
extern const struct cli_cmd cli_node_check;
extern const struct cli_cmd cli_alert_issue;
extern const struct cli_cmd cli_alert_cancel;
extern const struct cli_cmd cli_alert_list;
/* CAP 1.2 offline (cli_cap.c) */
extern const struct cli_cmd cli_alert_import;
extern const struct cli_cmd cli_alert_cap;
extern const struct cli_cmd cli_alert_export;
extern const struct cli_cmd cli_status;
extern const struct cli_cmd cli_fork_list;
extern const struct cli_cmd cli_fork_show;
extern const struct cli_cmd cli_fork_resolve;
extern const struct cli_cmd cli_sync;        /* cli_sync.c */
/* cli_gateway.c: gateway links to other federations (§12) */
extern const struct cli_cmd cli_gateway_add;
extern const struct cli_cmd cli_gateway_list;
extern const struct cli_cmd cli_gateway_policy;

/* ---------------- the node's HTTP/JSON API (cli_api.c) ---------------- */

/* One request to the node of -c conf (its http_listen and http_token);
 * a POST answered 503 EBUSY is re-sent for up to 15 s (the node is
 * catching up on its own log; nothing was stored). Returns 0 with *res
 * filled (cli_http_res_fini it), or the exit status after printing a
 * transport or config error. */
int cli_api_request(const struct cli_cmd *c, const char *conf,
    const char *method, const char *path, const char *body,
    struct cli_http_res *res);
/* The same with a body of n bytes of media type ctype (CAP XML). */
int cli_api_send(const struct cli_cmd *c, const char *conf,
    const char *method, const char *path, const char *ctype,
    const void *body, size_t n, struct cli_http_res *res);
/* Print an API error response ("HTTP 403: EUNAUTH grade: ..."); returns
 * CLI_EXIT_FAIL. */
int cli_api_report(const struct cli_cmd *c, const struct cli_http_res *r);
/* Print "VERB OBJECT_ID ver N seq N hash HEX" from a 201 answer. */
int cli_report_created(const struct cli_cmd *c, const char *verb,
    const struct cli_http_res *r);
/* A usage error naming `what` unless oid is an object id that is safe
 * in a URL path (object_id_valid, and not "." or ".."). */
int cli_check_object_id(const struct cli_cmd *c, const char *what,
    const char *oid);
/* GET path from the node of a's -c. Returns CLI_API_BODY with *res
 * holding a 200 answer for the caller to render (cli_http_res_fini it);
 * otherwise the command is done: with --json the raw body was printed
 * (exit 0), with --csv the view's CSV form (GET PATH.csv?QUERY: the
 * command must declare a "csv" option) was printed byte for byte (exit
 * 0), or the error was reported (its exit status). */
#define CLI_API_BODY (-1)
int cli_api_get(const struct cli_args *a, const char *path,
    struct cli_http_res *res);
/* POST body as JSON to path on the node of a's -c (body is consumed:
 * json_decref()ed, also on error) and report the answer: "VERB
 * OBJECT_ID ver N ..." for a 201 (cli_report_created), the error
 * otherwise (cli_api_report). Returns the exit status. */
int cli_api_post_json(const struct cli_args *a, const char *path,
    json_t *body, const char *verb);
/* A JSON object's text member ("?" if absent) / integer member (0). */
const char *cli_jstr(json_t *o, const char *key);
long long cli_jint(json_t *o, const char *key);
/* ---------------- indicators (cli_indicator.c, cli_health*.c) ------- */

extern const struct cli_cmd cli_indicator_define;
extern const struct cli_cmd cli_indicator_defs;
extern const struct cli_cmd cli_indicator_ingest;
extern const struct cli_cmd cli_indicator_values;
extern const struct cli_cmd cli_health_report;
/* Append "?name=value" or "&name=value" (value percent-encoded) to
 * path[cap]; nothing when val is NULL. -1 if it does not fit. */
int cli_ind_query(char *path, size_t cap, const char *name,
    const char *val);
/* One bar pair of the health chart: value (NAN: none) and target. */
struct cli_bar {
	const char *label;           /* [A-Za-z0-9._-]; others are left out */
	double value, target;
};
/*
 * Draw bars[0..n) as DIR/BASE.png with gnuplot ($RM_GNUPLOT, else the
 * gnuplot on PATH), run in dir on a script and data file written there
 * (BASE.gp, BASE.dat, removed after). base and title must be
 * [A-Za-z0-9._-] (RM_EINVAL): no other text reaches the script.
 * normalised labels the axis "% of target". Errors: RM_ENOTFOUND (no
 * gnuplot: say so, the caller goes on), RM_EIO (gnuplot failed).
 */
int cli_health_plot(const char *dir, const char *base, const char *title,
    const struct cli_bar *bars, size_t n, bool normalised, rm_why *why);
extern const struct cli_cmd cli_verify;
/* The fields of a decoded record, one per line ("origin:   ..."), as
 * `riskmesh verify` prints them (cli_verify.c). */
void cli_print_record(const struct rm_record *r);

#endif /* RM_NODE_CLI_H */
