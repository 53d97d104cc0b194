/*
 * cli_indicator.c -- `riskmesh indicator define|defs|ingest|values`:
 * indicator definitions and values over a node's HTTP/JSON API
 * (docs/API.md "Indicators"). `ingest` checks the whole file here
 * first (indicator_csv_read, the node's own rules), then sends it in
 * requests of at most CLI_IND_CHUNK bytes, each with the header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

#define CLI_IND_CHUNK   (900 * 1024)      /* < NODE_BODY_MAX (1 MiB) */
#define CLI_IND_FILE_MAX (1024u * 1024 * 1024)
#define CLI_IND_VALUES_MAX 50000000

/* Append "&name=value" (or "?..."), percent-encoded; -1 if too long. */
int
cli_ind_query(char *path, size_t cap, const char *name, const char *val)
{
	char enc[256];
	size_t l = strlen(path);

	if (val == NULL)
		return 0;
	if (cli_pct_encode(val, enc, sizeof(enc)) != 0)
		return -1;
	if ((size_t)snprintf(path + l, cap - l, "%c%s=%s",
	    strchr(path, '?') ? '&' : '?', name, enc) >= cap - l)
		return -1;
	return 0;
}

static int
run_define(const struct cli_args *a)
{
	static const char *const keys[] = { "code", "area", "name-zh",
		"name-en", "unit", "direction", "target", "warning", "source",
		"period" };
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	json_t *o = json_object();
	char *text, k[16];
	int rv;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *v = cli_get(a, keys[i]);

		snprintf(k, sizeof(k), "%s", keys[i]);
		if (k[4] == '-')
			k[4] = '_';
		if (v != NULL)
			json_object_set_new(o, k, json_string(v));
	}
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		return cli_fail(c, "out of memory");
	rv = cli_api_request(c, cli_get(a, "config"), "POST",
	    "/v1/indicator-defs", text, &res);
	free(text);
	if (rv != 0)
		return rv;
	rv = res.status == 201 ? cli_report_created(c, "defined", &res) :
	    cli_api_report(c, &res);
	cli_http_res_fini(&res);
	return rv;
}

static int
run_defs(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	char path[600];
	struct cli_http_res res;
	json_t *j, *arr, *d;
	size_t i;
	int rv;

	snprintf(path, sizeof(path), "/v1/indicator-defs");
	if (cli_ind_query(path, sizeof(path), "code", cli_get(a, "code")) ||
	    cli_ind_query(path, sizeof(path), "area", cli_get(a, "area")))
		return cli_usage(c, "--code/--area: too long");
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	arr = json_object_get(j, "indicator_defs");
	json_array_foreach(arr, i, d)
		printf("%-32s %-10s %-12s target %-10s warning %-10s %-8s %s\n",
		    cli_jstr(d, "code"), cli_jstr(d, "unit"),
		    cli_jstr(d, "direction"), cli_jstr(d, "target"),
		    json_object_get(d, "warning") ? cli_jstr(d, "warning") :
		    "-", cli_jstr(d, "period"),
		    json_object_get(d, "name_zh") ? cli_jstr(d, "name_zh") :
		    cli_jstr(d, "name_en"));
	printf("%zu indicator definition%s\n", json_array_size(arr),
	    json_array_size(arr) == 1 ? "" : "s");
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static int
run_values(const struct cli_args *a)
{
	static const char *const params[] = { "code", "area", "match",
		"from", "to", "period", "order", "limit" };
	const struct cli_cmd *c = a->cmd;
	char path[1200];
	struct cli_http_res res;
	json_t *j, *arr, *v;
	size_t i;
	int rv;

	snprintf(path, sizeof(path), "/v1/indicators");
	for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++)
		if (cli_ind_query(path, sizeof(path), params[k],
		    cli_get(a, params[k])) != 0)
			return cli_usage(c, "--%s: too long", params[k]);
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	j = json_loads(res.body, 0, NULL);
	arr = json_object_get(j, "indicators");
	json_array_foreach(arr, i, v)
		printf("%-24s %-12s %-24s %14s %-8s %s\n", cli_jstr(v, "code"),
		    cli_jstr(v, "area"), cli_jstr(v, "time"),
		    cli_jstr(v, "value"), cli_jstr(v, "unit"),
		    cli_jstr(v, "source"));
	printf("%zu value%s\n", json_array_size(arr),
	    json_array_size(arr) == 1 ? "" : "s");
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

/* ---------------- ingest ---------------- */

static void
print_bad(void *arg, const struct rm_ind_row_err *e)
{
	const char *path = arg;

	if (e->column > 0)
		fprintf(stderr, "%s:%zu: column %zu (%s): %s\n", path, e->line,
		    e->column, e->field, e->reason);
	else
		fprintf(stderr, "%s:%zu: %s\n", path, e->line, e->reason);
}

/* Send p[0..n) (rows only) with the header: one request. */
static int
send_chunk(const struct cli_args *a, const struct node_config *cf,
    const char *hdr, size_t hl, const char *p, size_t n, bool skip,
    size_t *stored, size_t *series)
{
	struct cli_http_res res;
	rm_buf b = RM_BUF_INIT;
	json_t *j;
	rm_why why;
	int rv;

	if (rm_buf_append(&b, hdr, hl) != RM_OK ||
	    rm_buf_append(&b, p, n) != RM_OK) {
		rm_buf_fini(&b);
		return cli_fail(a->cmd, "out of memory");
	}
	rv = cli_http_send(cf->http_listen, cf->http_token, "POST", skip ?
	    "/v1/indicators?skip_errors=1" : "/v1/indicators", "text/csv",
	    b.data, b.len, &res, &why);
	rm_buf_fini(&b);
	if (rv != RM_OK)
		return cli_fail(a->cmd, "%s", why.msg);
	if (res.status != 201) {
		rv = cli_api_report(a->cmd, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	j = json_loads(res.body, 0, NULL);
	*stored += (size_t)cli_jint(j, "stored");
	*series += (size_t)cli_jint(j, "series_count");
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static int
run_ingest(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *path = a->pos[0];
	bool skip = cli_has(a, "skip-errors");
	struct node_config *cf = NULL;
	struct rm_ind_value *vals = NULL;
	size_t nv, nbad, off, hl, stored = 0, series = 0;
	rm_buf file = RM_BUF_INIT;
	const char *p;
	rm_why why;
	int rv;

	if (rm_file_read(path, CLI_IND_FILE_MAX, &file, &why) != RM_OK)
		return cli_fail_file(c, path, &why);
	p = (const char *)file.data;
	rv = indicator_csv_read(p, file.len, CLI_IND_VALUES_MAX, &vals, &nv,
	    print_bad, (void *)path, &nbad);
	free(vals);
	if (rv != RM_OK || (nbad > 0 && !skip)) {
		rv = cli_fail(c, "%s: %zu bad row%s, nothing sent%s", path, nbad,
		    nbad == 1 ? "" : "s", rv == RM_OK ? " (--skip-errors "
		    "sends the good ones)" : "");
		goto out;
	}
	if (nv == 0) {
		rv = cli_fail(c, "%s: no values", path);
		goto out;
	}
	if ((cf = calloc(1, sizeof(*cf))) == NULL) {
		rv = cli_fail(c, "out of memory");
		goto out;
	}
	if (config_load(cli_get(a, "config"), cf, &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	/* the header line (with its BOM), then chunks of whole lines; a
	 * quoted field never holds a line break in a file that parsed as
	 * rows of code, area, time, value, unit and source */
	hl = (size_t)((const char *)memchr(p, '\n', file.len) - p) + 1;
	for (off = hl, rv = CLI_EXIT_OK; off < file.len && rv == 0;) {
		size_t n = file.len - off;

		if (n > CLI_IND_CHUNK) {
			n = CLI_IND_CHUNK;
			while (n > 0 && p[off + n - 1] != '\n')
				n--;
			if (n == 0) {
				rv = cli_fail(c, "%s: a line longer than %d bytes",
				    path, CLI_IND_CHUNK);
				break;
			}
		}
		rv = send_chunk(a, cf, p, hl, p + off, n, skip, &stored,
		    &series);
		off += n;
	}
	if (rv == 0)
		printf("ingested %zu value%s in %zu series (%zu row%s "
		    "skipped)\n", stored, stored == 1 ? "" : "s", series, nbad,
		    nbad == 1 ? "" : "s");
out:
	free(cf);
	rm_buf_fini(&file);
	return rv;
}

static const struct cli_opt define_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "code", 0, "CODE", CLI_REQUIRED, "indicator code ([a-z0-9_.], "
	  "e.g. hc.green_space_per_capita)" },
	{ "area", 0, "CODE", CLI_REQUIRED, "the area it applies to" },
	{ "name-zh", 0, "TEXT", 0, "name in Chinese" },
	{ "name-en", 0, "TEXT", 0, "name in English" },
	{ "unit", 0, "UNIT", CLI_REQUIRED, "unit of its values" },
	{ "direction", 0, "D", CLI_REQUIRED, "higher_worse|lower_worse" },
	{ "target", 0, "DECIMAL", CLI_REQUIRED, "target value" },
	{ "warning", 0, "DECIMAL", 0, "warning threshold" },
	{ "source", 0, "S", CLI_REQUIRED, "statistics|survey|sensor|"
	  "big_data" },
	{ "period", 0, "P", CLI_REQUIRED, "year|quarter|month|day|instant" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt defs_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "code", 0, "CODE", 0, "only this indicator" },
	{ "area", 0, "CODE", 0, "definitions whose areas overlap CODE" },
	{ "json", 0, NULL, 0, "print the API's JSON" },
	{ "csv", 0, NULL, 0, "print the CSV view" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt ingest_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "skip-errors", 0, NULL, 0, "send the good rows of a file with bad "
	  "ones" },
	{ NULL, 0, NULL, 0, NULL },
};

static const struct cli_opt values_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "code", 0, "CODE", CLI_REQUIRED, "the indicator" },
	{ "area", 0, "CODE", 0, "area (see --match)" },
	{ "match", 0, "M", 0, "overlap (default)|within|exact" },
	{ "from", 0, "TIME", 0, "RFC 3339 time or period label" },
	{ "to", 0, "TIME", 0, "RFC 3339 time or period label" },
	{ "period", 0, "P", 0, "values of one period (2025, 2025-Q3, ...)" },
	{ "order", 0, "O", 0, "newest (default)|time" },
	{ "limit", 0, "N", 0, "at most N values (default 1000)" },
	{ "json", 0, NULL, 0, "print the API's JSON" },
	{ "csv", 0, NULL, 0, "print the CSV view" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_indicator_define = {
	.name = "indicator define",
	.synopsis = "-c NODE.CONF --code C --area CODE --unit U --direction D "
	    "--target X --source S --period P [--name-zh T] [--name-en T] "
	    "[--warning X]",
	.summary = "define an indicator (or publish a new version of it)",
	.opts = define_opts,
	.run = run_define,
};

const struct cli_cmd cli_indicator_defs = {
	.name = "indicator defs",
	.synopsis = "-c NODE.CONF [--code C] [--area CODE] [--json|--csv]",
	.summary = "indicator definitions in force (GET /v1/indicator-defs)",
	.opts = defs_opts,
	.run = run_defs,
};

const struct cli_cmd cli_indicator_ingest = {
	.name = "indicator ingest",
	.synopsis = "-c NODE.CONF FILE.csv [--skip-errors]",
	.summary = "send indicator values from a CSV file (code,area,time,"
	    "value[,unit,source])",
	.details = "Every row is checked first; a file with bad rows is not "
	    "sent unless\n--skip-errors. Large files go in several requests.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = ingest_opts,
	.run = run_ingest,
};

const struct cli_cmd cli_indicator_values = {
	.name = "indicator values",
	.synopsis = "-c NODE.CONF --code C [--area CODE] [--from T] [--to T] "
	    "[--period P] [--json|--csv]",
	.summary = "single indicator values, newest first (GET /v1/indicators)",
	.opts = values_opts,
	.run = run_values,
};
