/*
 * cli_fork.c -- `riskmesh fork list|show|resolve`: the fork evidence a
 * node holds (GET /v1/forks, docs/API.md; what a fork is:
 * docs/PROTOCOL.md §7) and its resolution (POST
 * /v1/forks/{origin}/{seq}/resolve).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

/* GET /v1/forks as a JSON object (json_decref it), or NULL with the
 * command's exit status in *rv (0 after --json printed the body). */
static json_t *
get_forks(const struct cli_args *a, int *rv)
{
	struct cli_http_res res;
	json_t *j;

	if ((*rv = cli_api_get(a, "/v1/forks", &res)) != CLI_API_BODY)
		return NULL;
	*rv = CLI_EXIT_OK;
	j = json_loads(res.body, 0, NULL);
	if (!json_is_object(j) || !json_is_array(json_object_get(j, "forks"))) {
		*rv = cli_fail(a->cmd, "HTTP 200 but not a forks object: "
		    "%.200s", res.body);
		json_decref(j);
		j = NULL;
	}
	cli_http_res_fini(&res);
	return j;
}

static int
run_list(const struct cli_args *a)
{
	json_t *j, *f;
	size_t i;
	int rv;

	if ((j = get_forks(a, &rv)) == NULL)
		return rv;
	json_array_foreach(json_object_get(j, "forks"), i, f) {
		bool resolved = json_is_true(json_object_get(f, "resolved"));

		printf("%-24s seq %-8lld log %.16s  evidence %.16s  %s%.16s\n",
		    cli_jstr(f, "origin"), cli_jint(f, "seq"),
		    json_is_string(json_object_get(f, "log")) ?
		    cli_jstr(f, "log") : "(none)          ",
		    cli_jstr(f, "evidence"), resolved ? "resolved by " : "open",
		    resolved ? cli_jstr(f, "resolution") : "");
	}
	printf("%zu fork%s\n", json_array_size(json_object_get(j, "forks")),
	    json_array_size(json_object_get(j, "forks")) == 1 ? "" : "s");
	json_decref(j);
	return CLI_EXIT_OK;
}

/* A SEQ argument: 1, 2, ... into *seq, else a usage error's status. */
static int
parse_seq(const struct cli_cmd *c, const char *s, unsigned long long *seq)
{
	char *end;

	errno = 0;
	*seq = strtoull(s, &end, 10);
	if (*end != '\0' || s[0] < '0' || s[0] > '9' || *seq == 0 ||
	    errno == ERANGE)
		return cli_usage(c, "SEQ: \"%.32s\" is not a seq (1, 2, ...)",
		    s);
	return 0;
}

/* Fetch the record with this hash from the node and print it. */
static int
show_record(const struct cli_args *a, const char *title, const char *hex)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	struct cose_sign1 msg;
	struct rm_record rec;
	char path[128];
	rm_why why;
	int rv;

	snprintf(path, sizeof(path), "/v1/records/%.64s", hex);
	if ((rv = cli_api_request(c, cli_get(a, "config"), "GET", path, NULL,
	    &res)) != 0)
		return rv;
	if (res.status != 200) {
		rv = cli_api_report(c, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	printf("%s %s\n", title, hex);
	if (cose_sign1_decode((const uint8_t *)res.body, res.len, &msg,
	    &why) != RM_OK || record_decode(msg.payload, msg.payload_len, &rec,
	    &why) != RM_OK) {
		rv = cli_fail(c, "record %.16s: %s", hex, why.msg);
		cli_http_res_fini(&res);
		return rv;
	}
	cli_print_record(&rec);
	record_fini(&rec);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static int
run_show(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *origin = a->pos[0];
	unsigned long long seq;
	json_t *j, *f;
	size_t i, shown = 0;
	int rv = CLI_EXIT_OK;

	if (!agency_id_valid(origin))
		return cli_usage(c, "ORIGIN: \"%.64s\" is not an agency id "
		    "(%s)", origin, RM_AGENCY_ID_RULE);
	if ((rv = parse_seq(c, a->pos[1], &seq)) != 0)
		return rv;
	if ((j = get_forks(a, &rv)) == NULL)
		return rv;
	rv = CLI_EXIT_OK;
	json_array_foreach(json_object_get(j, "forks"), i, f) {
		if (strcmp(cli_jstr(f, "origin"), origin) != 0 ||
		    (unsigned long long)cli_jint(f, "seq") != seq)
			continue;
		shown++;
		if (json_is_true(json_object_get(f, "resolved")))
			printf("resolved by %s (the log keeps the record "
			    "below)\n\n", cli_jstr(f, "resolution"));
		else
			printf("open: the origin's later records are held\n\n");
		if (json_is_string(json_object_get(f, "log")) &&
		    (rv = show_record(a, "in the log:  ", cli_jstr(f, "log"))) !=
		    0)
			break;
		printf("\n");
		if ((rv = show_record(a, "as evidence: ", cli_jstr(f,
		    "evidence"))) != 0)
			break;
	}
	json_decref(j);
	if (rv == CLI_EXIT_OK && shown == 0)
		rv = cli_fail(c, "no fork of %s at seq %llu on this node", origin,
		    seq);
	return rv;
}

/* --dir: the origin's registrar signs the resolution in the
 * federation directory (DIR/agencies.cbor); roster publish sends it. */
static int
resolve_offline(const struct cli_args *a, const char *origin,
    unsigned long long seq, const rm_hash *keep)
{
	const struct cli_cmd *c = a->cmd;
	const struct roster_agency *o;
	struct rm_fork_ref ref;
	struct feddir fd;
	char reg[RM_AGENCY_ID_MAX + 1];
	crypto_signer *s;
	rm_why why;
	int rv;

	if ((rv = feddir_open(c, cli_get(a, "dir"), false, &fd)) != 0)
		return rv;
	if ((o = roster_find(fd.roster, origin)) == NULL) {
		rv = cli_fail(c, "ORIGIN: %s is not in the roster of %s",
		    origin, fd.dir);
		goto out;
	}
	registrar_id(o->areas[0], reg);
	if (strcmp(reg, origin) == 0 || roster_is_registrar(o)) {
		rv = cli_fail(c, "ORIGIN: %s is a registrar: it cannot resolve "
		    "its own fork (the root re-signs the charter with a new "
		    "key for it)", origin);
		goto out;
	}
	if ((rv = feddir_registrar_signer(c, &fd, reg, &s)) != 0)
		goto out;
	memset(&ref, 0, sizeof(ref));
	snprintf(ref.origin, sizeof(ref.origin), "%s", origin);
	ref.seq = seq;
	ref.keep = *keep;
	if (registry_append_resolution(fd.reg, s, reg, &ref, o->areas[0],
	    cli_has(a, "again"), &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	if ((rv = feddir_commit(c, &fd)) != 0)
		goto out;
	printf("resolved %s seq %llu: keep %.64s; signed by %s in %s/%s: "
	    "publish it (riskmesh roster publish)\n", origin, seq,
	    cli_get(a, "keep"), reg, fd.dir, FEDDIR_RECORDS);
out:
	feddir_close(&fd);
	return rv;
}

static int
run_resolve(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *origin = a->pos[0], *keep = cli_get(a, "keep");
	char path[RM_AGENCY_ID_MAX * 3 + 64], seg[RM_AGENCY_ID_MAX * 3 + 1];
	struct cli_http_res res;
	unsigned long long seq;
	rm_hash h;
	char *text;
	json_t *o, *j;
	int rv;

	if (!agency_id_valid(origin))
		return cli_usage(c, "ORIGIN: \"%.64s\" is not an agency id "
		    "(%s)", origin, RM_AGENCY_ID_RULE);
	if ((rv = parse_seq(c, a->pos[1], &seq)) != 0)
		return rv;
	if (keep == NULL || rm_hash_parse(keep, &h) != RM_OK)
		return cli_usage(c, "--keep: the hash of the record to keep, "
		    "64 hex digits (see fork show)");
	if ((cli_get(a, "dir") != NULL) == (cli_get(a, "config") != NULL))
		return cli_usage(c, "give either -c NODE.CONF (the node signs) "
		    "or --dir DIR (the registrar signs)");
	if (cli_get(a, "dir") != NULL)
		return resolve_offline(a, origin, seq, &h);
	if (cli_pct_encode(origin, seg, sizeof(seg)) != 0)
		return cli_usage(c, "ORIGIN: too long");
	snprintf(path, sizeof(path), "/v1/forks/%s/%llu/resolve", seg, seq);
	if ((o = json_pack("{s:s}", "keep", keep)) == NULL ||
	    (text = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return cli_fail(c, "out of memory");
	}
	json_decref(o);
	rv = cli_api_request(c, cli_get(a, "config"), "POST", path, text, &res);
	free(text);
	if (rv != 0)
		return rv;
	if (res.status != 201) {
		rv = cli_api_report(c, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	j = json_loads(res.body, 0, NULL);
	printf("resolved %s seq %llu: keep %.16s; resolution %s seq %lld "
	    "hash %s\n", origin, seq, keep, cli_jstr(j, "origin"),
	    cli_jint(j, "seq"), cli_jstr(j, "hash"));
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static const struct cli_opt resolve_opts[] = {
	{ "config", 'c', "NODE.CONF", 0, "the node's config: that node "
	  "signs (the origin's own, or a registrar's)" },
	{ "dir", 0, "DIR", 0, "federation directory: the origin's registrar "
	  "signs, offline" },
	{ "again", 0, NULL, 0, "with --dir: sign a new version of a "
	  "resolution this directory made (a wrong --keep)" },
	{ "keep", 0, "HASH", CLI_REQUIRED, "hash of the record to keep in "
	  "the origin's log" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt fork_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "json", 0, NULL, 0, "print the raw JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_fork_list = {
	.name = "fork list",
	.synopsis = "-c NODE.CONF [--json]",
	.summary = "list the forks a node holds evidence of (GET /v1/forks)",
	.details = "A fork is two valid records of one origin with one seq: "
	    "the origin's signing\nkey was used twice (a copied identity, a "
	    "restored store). The node keeps\nboth, holds the origin's later "
	    "records and relays the evidence to its peers\nuntil the fork is "
	    "resolved (fork resolve); resolved forks stay listed.",
	.opts = fork_opts,
	.run = run_list,
};

const struct cli_cmd cli_fork_show = {
	.name = "fork show",
	.synopsis = "-c NODE.CONF ORIGIN SEQ",
	.summary = "show both records of a fork",
	.min_pos = 2,
	.max_pos = 2,
	.opts = fork_opts,
	.run = run_show,
};

const struct cli_cmd cli_fork_resolve = {
	.name = "fork resolve",
	.synopsis = "-c NODE.CONF | --dir DIR  ORIGIN SEQ --keep HASH",
	.summary = "resolve a fork: sign which record the origin's log keeps",
	.details = "The node signs a fork_resolution record with its agency "
	    "key (POST\n/v1/forks/ORIGIN/SEQ/resolve); every node then keeps "
	    "HASH in ORIGIN's log at SEQ,\nkeeps the other record as "
	    "evidence and accepts ORIGIN's records again. Allowed\nfrom "
	    "ORIGIN's own node after a key rotation (riskmesh agency "
	    "rotate-key),\nor from a registrar's node (an agency of the charter "
	    "whose kinds include\nagency, docs/PROTOCOL.md §5a). With --dir "
	    "the origin's registrar signs it in\nthe federation directory "
	    "instead (DIR/agencies.cbor), offline like the root;\n"
	    "'riskmesh roster publish' hands it to a node.",
	.min_pos = 2,
	.max_pos = 2,
	.opts = resolve_opts,
	.run = run_resolve,
};
