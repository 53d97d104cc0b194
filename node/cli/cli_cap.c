/*
 * cli_cap.c -- CAP 1.2 documents (node/cap):
 *   riskmesh alert import --check FILE.xml   validate offline; exit 0
 *       only if accepted, the refusal (element path and rule) on stderr
 *   riskmesh alert import -c NODE.CONF FILE.xml   issue it on the node
 *       (POST /v1/alerts, application/cap+xml)
 *   riskmesh alert export -c NODE.CONF ID [--origin AGENCY] [-o FILE]
 *       the alert as a CAP document (GET /v1/alerts/ID.xml)
 *   riskmesh alert cap FILE.xml              print the normalised
 *       document (the schema's order, offsets kept), a debugging aid
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "node/cap/cap.h"
#include "node/cli/cli.h"

/* Read and parse path; prints the refusal. */
static int
load(const struct cli_cmd *c, const char *path, struct cap_alert *out)
{
	rm_buf file = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	if (rm_file_read(path, CAP_DOC_MAX, &file, &why) != RM_OK) {
		rm_buf_fini(&file);
		return cli_fail_file(c, path, &why);
	}
	rv = cap_parse(file.data, file.len, out, &why);
	rm_buf_fini(&file);
	if (rv != RM_OK)
		return cli_fail(c, "%s: refused: %s", path, why.msg);
	return CLI_EXIT_OK;
}

/* POST the file as it is to the node of -c: 201 issued, 200 the same
 * message was already stored (nothing issued). */
static int
import_to_node(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *path = a->pos[0], *conf = cli_get(a, "config");
	struct cli_http_res res;
	rm_buf file = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	if (conf == NULL)
		return cli_usage(c, "give --check to check the file offline, "
		    "or -c NODE.CONF to import it into a node");
	if (rm_file_read(path, CAP_DOC_MAX, &file, &why) != RM_OK) {
		rm_buf_fini(&file);
		return cli_fail_file(c, path, &why);
	}
	rv = cli_api_send(c, conf, "POST", "/v1/alerts", CAP_MEDIA_TYPE,
	    file.data, file.len, &res);
	rm_buf_fini(&file);
	if (rv != 0)
		return rv;
	if (res.status == 201)
		rv = cli_report_created(c, "imported", &res);
	else if (res.status == 200)
		rv = cli_report_created(c, "already stored", &res);
	else
		rv = cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}

static int
run_export(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *oid = a->pos[0], *origin = cli_get(a, "origin");
	const char *out = cli_get(a, "output");
	char path[1024], e_oid[3 * RM_OBJECT_ID_MAX + 1];
	char e_origin[3 * RM_AGENCY_ID_MAX + 1];
	struct cli_http_res res;
	FILE *f;
	int rv;

	if ((rv = cli_check_object_id(c, "ID", oid)) != 0)
		return rv;
	if (origin != NULL && !agency_id_valid(origin))
		return cli_usage(c, "--origin: \"%.64s\" is not an agency id",
		    origin);
	if (cli_pct_encode(oid, e_oid, sizeof(e_oid)) != 0 ||
	    (origin != NULL && cli_pct_encode(origin, e_origin,
	    sizeof(e_origin)) != 0))
		return cli_usage(c, "ID or --origin too long");
	snprintf(path, sizeof(path), "/v1/alerts/%s.xml%s%s", e_oid,
	    origin != NULL ? "?origin=" : "", origin != NULL ? e_origin : "");
	if ((rv = cli_api_request(c, cli_get(a, "config"), "GET", path, NULL,
	    &res)) != 0)
		return rv;
	if (res.status != 200) {
		rv = cli_api_report(c, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	rv = CLI_EXIT_OK;
	if ((f = out != NULL ? fopen(out, "wb") : stdout) == NULL)
		rv = cli_fail(c, "%s: cannot create", out);
	else if (fwrite(res.body, 1, res.len, f) != res.len ||
	    (f != stdout && fclose(f) != 0))
		rv = cli_fail(c, "%s: write failed", out ? out : "stdout");
	cli_http_res_fini(&res);
	return rv;
}

static int
run_import(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *path = a->pos[0];
	struct cap_alert cap;
	struct rm_record rec;
	rm_why why = { "", "" };
	int rv;

	if (!cli_has(a, "check"))
		return import_to_node(a);
	if ((rv = load(c, path, &cap)) != CLI_EXIT_OK)
		return rv;
	/* A document with info blocks must also fit the alert kind; a
	 * Cancel without any is applied to the alerts it references. */
	if (cap.n_info > 0 && cap_to_alert(&cap, &rec, &why) != RM_OK) {
		rv = cli_fail(c, "%s: valid CAP 1.2 but not an alert riskmesh "
		    "can issue: %s", path, why.msg);
		cap_alert_fini(&cap);
		return rv;
	}
	if (cap.n_info > 0)
		record_fini(&rec);
	printf("%s: CAP 1.2 %s %s from %s, %zu info block%s: accepted\n",
	    path, cap_msgtype_name(cap.msg_type), cap.identifier, cap.sender,
	    cap.n_info, cap.n_info == 1 ? "" : "s");
	cap_alert_fini(&cap);
	return CLI_EXIT_OK;
}

static int
run_cap(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cap_alert cap;
	rm_buf out = RM_BUF_INIT;
	rm_why why = { "", "" };
	int rv;

	if ((rv = load(c, a->pos[0], &cap)) != CLI_EXIT_OK)
		return rv;
	if (cap_write(&cap, &out, &why) != RM_OK)
		rv = cli_fail(c, "%s: %s", a->pos[0], why.msg);
	else if (fwrite(out.data, 1, out.len, stdout) != out.len)
		rv = cli_fail(c, "stdout: write failed");
	rm_buf_fini(&out);
	cap_alert_fini(&cap);
	return rv;
}

static const struct cli_opt import_opts[] = {
	{ "check", 0, NULL, 0, "check the file offline, no node needed" },
	{ "config", 'c', "NODE.CONF", 0, "the node to issue it on" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt export_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "origin", 0, "AGENCY", 0, "the issuing agency (when several "
	    "issued ID)" },
	{ "output", 'o', "FILE", 0, "write the document to FILE (default: "
	    "stdout)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt cap_opts[] = {
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_import = {
	.name = "alert import",
	.synopsis = "(--check | -c NODE.CONF) FILE.xml",
	.summary = "issue a CAP 1.2 alert (OASIS) on a node, or check it "
	    "offline",
	.details = "With -c: POST /v1/alerts (application/cap+xml); prints "
	    "\"imported OBJECT_ID ver N\nseq N hash HEX\", or \"already "
	    "stored ...\" when the node holds the same message\n(same sender "
	    "and identifier). The sender must be the node's agency; an\nUpdate "
	    "or Cancel must reference an earlier message (docs/CAP.md).\n"
	    "With --check: the whole CAP 1.2 schema and rules (docs/CAP.md): element "
	    "order, required\nelements, enumerations in exact case, times "
	    "with an offset (no \"Z\"),\nreferences, polygons and circles; "
	    "DTDs and entities refused. A document\nwith info blocks must "
	    "also fit the alert kind (grade parameter, GB/T2260\ngeocodes, "
	    "sender an agency id). Exit 0 only if accepted; the refusal, "
	    "naming\nthe element (alert/info[0]/urgency) and the rule, on "
	    "stderr.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = import_opts,
	.run = run_import,
};

const struct cli_cmd cli_alert_cap = {
	.name = "alert cap",
	.synopsis = "FILE.xml",
	.summary = "print a CAP 1.2 alert normalised (a debugging aid)",
	.details = "Reads and validates FILE.xml as `alert import --check` "
	    "does (CAP rules only)\nand prints it as riskmesh writes CAP: the "
	    "schema's element order, UTF-8,\ntimes in their own offset, "
	    "numbers as the shortest decimal.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = cap_opts,
	.run = run_cap,
};

const struct cli_cmd cli_alert_export = {
	.name = "alert export",
	.synopsis = "-c NODE.CONF ID [--origin AGENCY] [-o FILE]",
	.summary = "an alert as a CAP 1.2 document (GET /v1/alerts/ID.xml)",
	.details = "The CAP message the alert was issued from, element for "
	    "element, on every\nnode that holds it; an alert issued as JSON "
	    "is written from its fields\n(times at +08:00). Without --origin "
	    "the agency with an alert in force of\nthat ID, else this node's "
	    "agency.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = export_opts,
	.run = run_export,
};
