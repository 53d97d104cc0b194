/*
 * cli_cap.c -- CAP 1.2 documents offline, no node needed (node/cap):
 *   riskmesh alert import --check FILE.xml   validate; exit 0 only if
 *       accepted, the refusal (element path and rule) on stderr
 *   riskmesh alert cap FILE.xml              print the normalised
 *       document (the schema's order, offsets kept), a debugging aid
 */
#include <stdio.h>
#include <string.h>

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
		return cli_usage(c, "give --check: a CAP file is checked "
		    "offline (importing into a node comes with the HTTP API)");
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
	{ "check", 0, NULL, 0, "check the file offline (required for now)" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt cap_opts[] = {
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_import = {
	.name = "alert import",
	.synopsis = "--check FILE.xml",
	.summary = "check a CAP 1.2 alert (OASIS) offline",
	.details = "The whole CAP 1.2 schema and rules (docs/CAP.md): element "
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
