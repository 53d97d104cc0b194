/*
 * cli_health.c -- `riskmesh health report --area CODE --period P`: the
 * city health check (城市体检). For each indicator defined for the area
 * with the period kind of the report (GET /v1/indicator-defs?area=),
 * its value for the area and period
 * and for the period before (GET /v1/indicators?match=exact&period=),
 * the change, and whether it is off target (by its direction) or past
 * its warning threshold; a table on stdout, DIR/health-AREA-P.csv (UTF-8
 * with BOM) and DIR/health-AREA-P.png drawn by gnuplot.
 *
 * gnuplot runs as a child process in DIR on a script and a data file
 * written here. Nothing a node sent reaches the script: it names only
 * the files (area code and period label, both checked) and the chart's
 * labels are the indicator codes ([a-z0-9_.]) read from the data file,
 * with enhanced text off.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "node/cli/cli.h"

#define HEALTH_MAX 512               /* indicators in one report */

struct health_row {
	char code[RM_IND_CODE_MAX + 1];
	char name[RM_IND_NAME_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_direction dir;
	struct rm_decimal target, warning, value, last, change;
	bool has_warning, has_value, has_last, has_change;
	const char *status;
};

struct health {
	char area[RM_AREA_CODE_MAX + 1];
	char period[RM_IND_TIME_TEXT_MAX], prev[RM_IND_TIME_TEXT_MAX];
	size_t n;
	char other_period[16];       /* a report period of definitions
	                                left out ("year"), "" if none */
	struct health_row rows[HEALTH_MAX];
};

static bool
json_dec(json_t *o, const char *key, struct rm_decimal *out)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL && decimal_parse(s, strlen(s), out) == RM_OK;
}

/* The newest value of code for the area at period label p. */
static int
value_at(const struct cli_args *a, const char *code, const char *area,
    const char *p, struct rm_decimal *out, bool *has)
{
	char path[400];
	struct cli_http_res res;
	json_t *j;
	int rv;

	snprintf(path, sizeof(path), "/v1/indicators?match=exact&limit=1");
	if (cli_ind_query(path, sizeof(path), "code", code) ||
	    cli_ind_query(path, sizeof(path), "area", area) ||
	    cli_ind_query(path, sizeof(path), "period", p))
		return cli_fail(a->cmd, "query too long");
	if ((rv = cli_api_request(a->cmd, cli_get(a, "config"), "GET", path,
	    NULL, &res)) != 0)
		return rv;
	if (res.status != 200) {
		rv = cli_api_report(a->cmd, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	j = json_loads(res.body, 0, NULL);
	*has = json_dec(json_array_get(json_object_get(j, "indicators"), 0),
	    "value", out);
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static void
row_status(struct health_row *r)
{
	int off, warn;

	if (!r->has_value) {
		r->status = "no data";
		return;
	}
	off = decimal_cmp(r->value, r->target);
	warn = r->has_warning ? decimal_cmp(r->value, r->warning) : 0;
	if (r->dir == RM_IND_LOWER_WORSE) {
		off = -off;
		warn = -warn;
	}
	r->status = r->has_warning && warn >= 0 ? "WARNING" :
	    off > 0 ? "OFF TARGET" : "on target";
	if (r->has_last)
		r->has_change = decimal_sub(r->value, r->last, &r->change) ==
		    RM_OK;
}

static int
row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct health_row *)a)->code,
	    ((const struct health_row *)b)->code);
}

/* The definitions for the area whose period kind is the report's, one
 * per code (the newest). */
static int
load_defs(const struct cli_args *a, struct health *h,
    enum rm_ind_period kind)
{
	char path[200];
	struct cli_http_res res;
	json_t *j, *d;
	size_t i;
	int rv;

	snprintf(path, sizeof(path), "/v1/indicator-defs?area=%s", h->area);
	if ((rv = cli_api_request(a->cmd, cli_get(a, "config"), "GET", path,
	    NULL, &res)) != 0)
		return rv;
	if (res.status != 200) {
		rv = cli_api_report(a->cmd, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	j = json_loads(res.body, 0, NULL);
	json_array_foreach(json_object_get(j, "indicator_defs"), i, d) {
		struct health_row *r = &h->rows[h->n];
		const char *code = cli_jstr(d, "code");
		size_t k;

		for (k = 0; k < h->n && strcmp(h->rows[k].code, code) != 0; k++)
			;
		if (k < h->n || h->n == HEALTH_MAX ||
		    !indicator_code_valid(code, strlen(code)))
			continue;
		if (strcmp(cli_jstr(d, "period"), indicator_period_name(kind)) !=
		    0) {
			/* a period a report can have (not instant) */
			if (h->other_period[0] == '\0' &&
			    strcmp(cli_jstr(d, "period"), "instant") != 0)
				snprintf(h->other_period, sizeof(h->other_period),
				    "%s", cli_jstr(d, "period"));
			continue;
		}
		memset(r, 0, sizeof(*r));
		snprintf(r->code, sizeof(r->code), "%s", code);
		snprintf(r->name, sizeof(r->name), "%s",
		    json_object_get(d, "name_zh") ? cli_jstr(d, "name_zh") :
		    cli_jstr(d, "name_en"));
		snprintf(r->unit, sizeof(r->unit), "%s", cli_jstr(d, "unit"));
		r->dir = strcmp(cli_jstr(d, "direction"), "lower_worse") == 0 ?
		    RM_IND_LOWER_WORSE : RM_IND_HIGHER_WORSE;
		if (!json_dec(d, "target", &r->target))
			continue;
		r->has_warning = json_dec(d, "warning", &r->warning);
		h->n++;
	}
	json_decref(j);
	cli_http_res_fini(&res);
	qsort(h->rows, h->n, sizeof(h->rows[0]), row_cmp);
	return CLI_EXIT_OK;
}

static void
dec_text(bool has, struct rm_decimal d, char out[RM_DECIMAL_TEXT_MAX])
{
	if (has)
		decimal_format(d, out);
	else
		snprintf(out, RM_DECIMAL_TEXT_MAX, "-");
}

static void
print_table(const struct health *h)
{
	char v[RM_DECIMAL_TEXT_MAX], t[RM_DECIMAL_TEXT_MAX];
	char l[RM_DECIMAL_TEXT_MAX], c[RM_DECIMAL_TEXT_MAX];

	printf("city health check %s %s (last period %s): %zu indicator%s\n",
	    h->area, h->period, h->prev, h->n, h->n == 1 ? "" : "s");
	printf("%-32s %12s %12s %12s %12s %-10s %s\n", "code", "value",
	    "target", h->prev, "change", "unit", "status  name");
	for (size_t i = 0; i < h->n; i++) {
		const struct health_row *r = &h->rows[i];

		dec_text(r->has_value, r->value, v);
		dec_text(true, r->target, t);
		dec_text(r->has_last, r->last, l);
		dec_text(r->has_change, r->change, c);
		printf("%-32s %12s %12s %12s %12s %-10s %s  %s\n", r->code, v, t,
		    l, c, r->unit, r->status, r->name);
	}
}

static int
write_csv(const struct health *h, const char *path, rm_why *why)
{
	static const char *const hdr[] = { "code", "name", "unit",
		"direction", "target", "warning", "period", "value",
		"last_period", "last_value", "change", "status" };
	char v[RM_DECIMAL_TEXT_MAX], t[RM_DECIMAL_TEXT_MAX];
	char w[RM_DECIMAL_TEXT_MAX], l[RM_DECIMAL_TEXT_MAX];
	char c[RM_DECIMAL_TEXT_MAX];
	rm_buf b = RM_BUF_INIT;
	int rv = rm_csv_bom(&b);

	if (rv == RM_OK)
		rv = rm_csv_row(&b, hdr, 12);
	for (size_t i = 0; rv == RM_OK && i < h->n; i++) {
		const struct health_row *r = &h->rows[i];
		const char *f[12];

		decimal_format(r->target, t);
		if (r->has_warning)
			decimal_format(r->warning, w);
		if (r->has_value)
			decimal_format(r->value, v);
		if (r->has_last)
			decimal_format(r->last, l);
		if (r->has_change)
			decimal_format(r->change, c);
		f[0] = r->code;
		f[1] = r->name;
		f[2] = r->unit;
		f[3] = indicator_direction_name(r->dir);
		f[4] = t;
		f[5] = r->has_warning ? w : NULL;
		f[6] = h->period;
		f[7] = r->has_value ? v : NULL;
		f[8] = h->prev;
		f[9] = r->has_last ? l : NULL;
		f[10] = r->has_change ? c : NULL;
		f[11] = r->status;
		rv = rm_csv_row(&b, f, 12);
	}
	if (rv != RM_OK)
		rv = rm_fail(why, rv, "out of memory");
	else
		rv = rm_file_write_atomic(path, b.data, b.len, 0644, why);
	rm_buf_fini(&b);
	return rv;
}

/* Nothing to draw: say why, and which period would have values. */
static void
no_values(const struct health *h)
{
	static const struct { const char *kind, *fmt; } ex[] = {
		{ "year", "%.4s" }, { "quarter", "%.4s-Q1" },
		{ "month", "%.4s-01" }, { "day", "%.4s-01-01" },
	};
	char eg[32] = "";

	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		if (strcmp(ex[i].kind, h->other_period) == 0)
			snprintf(eg, sizeof(eg), ex[i].fmt, h->period);
	fprintf(stderr, "riskmesh health report: no values for %s in %s: no "
	    "chart drawn", h->area, h->period);
	if (h->n == 0 && eg[0] != '\0')
		fprintf(stderr, " (the indicators defined are by %s: try "
		    "--period %s)", h->other_period, eg);
	fputc('\n', stderr);
}

/* The chart: 0, or CLI_EXIT_FAIL when gnuplot failed. */
static int
draw(const struct cli_cmd *c, const struct health *h, const char *dir,
    const char *base)
{
	struct cli_bar *bars;
	bool norm = false, any = false;
	rm_why why;
	int rv = CLI_EXIT_OK;

	for (size_t i = 0; i < h->n; i++)
		any = any || h->rows[i].has_value;
	if (!any) {
		no_values(h);
		return CLI_EXIT_OK;
	}
	if ((bars = calloc(h->n, sizeof(*bars))) == NULL)
		return CLI_EXIT_FAIL;
	for (size_t i = 1; i < h->n; i++)
		if (strcmp(h->rows[i].unit, h->rows[0].unit) != 0)
			norm = true;
	for (size_t i = 0; i < h->n; i++) {
		const struct health_row *r = &h->rows[i];
		double t = decimal_to_double(r->target);
		double v = r->has_value ? decimal_to_double(r->value) : NAN;

		bars[i].label = r->code;
		bars[i].value = norm ? (t != 0 ? v / t * 100 : NAN) : v;
		bars[i].target = norm ? 100 : t;
	}
	if ((rv = cli_health_plot(dir, base, base, bars, h->n, norm, &why)) ==
	    RM_OK)
		printf("wrote %s/%s.png\n", dir, base);
	else if (rv == RM_ENOTFOUND) {
		/* gnuplot is optional: the table and the CSV stand */
		fprintf(stderr, "riskmesh health report: %s\n", why.msg);
		rv = CLI_EXIT_OK;
	} else
		rv = cli_fail(c, "%s", why.msg);
	free(bars);
	return rv;
}

static int
run_report(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *dir = cli_get(a, "out") != NULL ? cli_get(a, "out") : ".";
	enum rm_ind_period k;
	struct health *h;
	char base[80], csv[1200];
	int64_t t;
	rm_why why;
	int rv;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return cli_fail(c, "out of memory");
	if (strlen(cli_get(a, "area")) > RM_AREA_CODE_MAX ||
	    !area_code_valid(cli_get(a, "area"))) {
		free(h);
		return cli_usage(c, "--area: a GB/T 2260 area code");
	}
	if (indicator_time_parse(cli_get(a, "period"), &k, &t) != RM_OK ||
	    k == RM_IND_INSTANT) {
		free(h);
		return cli_usage(c, "--period: a year, quarter, month or day "
		    "(2025, 2025-Q3, 2025-07, 2025-07-31)");
	}
	/* the output directory first: nothing is printed for a report
	 * that cannot be written */
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rv = cli_fail(c, "--out %s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(h->area, sizeof(h->area), "%s", cli_get(a, "area"));
	indicator_time_format(k, t, h->period);
	indicator_time_format(k, t - 1, h->prev);
	if ((rv = load_defs(a, h, k)) != 0)
		goto out;
	for (size_t i = 0; i < h->n; i++) {
		struct health_row *r = &h->rows[i];

		if ((rv = value_at(a, r->code, h->area, h->period, &r->value,
		    &r->has_value)) != 0 ||
		    (rv = value_at(a, r->code, h->area, h->prev, &r->last,
		    &r->has_last)) != 0)
			goto out;
		row_status(r);
	}
	print_table(h);
	snprintf(base, sizeof(base), "health-%s-%s", h->area, h->period);
	snprintf(csv, sizeof(csv), "%s/%s.csv", dir, base);
	if (write_csv(h, csv, &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	printf("wrote %s\n", csv);
	rv = draw(c, h, dir, base);
out:
	free(h);
	return rv;
}

static const struct cli_opt report_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", CLI_REQUIRED, "the area checked" },
	{ "period", 0, "P", CLI_REQUIRED, "the period: 2025, 2025-Q3, "
	  "2025-07 or 2025-07-31" },
	{ "out", 0, "DIR", 0, "where the CSV and PNG go (default .)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_health_report = {
	.name = "health report",
	.synopsis = "-c NODE.CONF --area CODE --period P [--out DIR]",
	.summary = "city health check (城市体检): indicators against their "
	    "targets",
	.details = "For each indicator defined for the area with the "
	    "period's kind (a year,\na quarter, ...): its value for "
	    "the period, the target,\nthe last period's value, the change, "
	    "and OFF TARGET / WARNING by its\ndirection. Writes "
	    "DIR/health-AREA-P.csv (UTF-8 with BOM) and, with gnuplot\n"
	    "(Debian: gnuplot-nox; $RM_GNUPLOT overrides), "
	    "DIR/health-AREA-P.png.",
	.opts = report_opts,
	.run = run_report,
};
