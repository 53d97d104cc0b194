/*
 * cli_risk_import.c -- `riskmesh risk import --check FILE.csv`: a risk
 * register in the spreadsheet form offices keep (sims/data/
 * risk-register.csv: UTF-8, bilingual headers such as "风险等级 grade",
 * values such as "较大 orange"), checked offline, no node needed: every
 * row becomes the risk record it would be and goes through the kind's
 * own rules (record_validate), so the check and the node never
 * disagree. Every bad row is reported as FILE:LINE: COLUMN: reason;
 * exit 0 only for a clean file. With --dir, the agencies are checked
 * against the federation's roster too (unknown agency, area outside
 * the responsible unit's).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

#define RISK_CSV_MAX (256u << 20)

/* The columns by their English header word (the part after the last
 * space of a bilingual header cell, or the whole cell). */
enum {
	C_ID, C_NAME, C_CATEGORY, C_SUBCATEGORY, C_GRADE, C_AREA, C_LOCATION,
	C_LAT, C_LON, C_RESPONSIBLE, C_COOPERATING, C_MEASURES, C_STATUS,
	C_REVIEW, C_COUNT
};
static const char *const col_names[C_COUNT] = {
	"risk_id", "name", "category", "subcategory", "grade", "area_code",
	"location", "lat", "lon", "responsible", "cooperating", "measures",
	"status", "review_date"
};

/* The English word of a bilingual cell: "较大 orange" -> "orange". */
static const char *
english(const char *cell)
{
	const char *sp = strrchr(cell, ' ');

	return sp != NULL ? sp + 1 : cell;
}

struct check {
	const char *file;
	const struct roster *roster;     /* NULL without --dir */
	size_t bad_rows, rows;
	bool row_bad;
	size_t line;
};

static void report(struct check *k, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(struct check *k, const char *col, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%zu: %s: ", k->file, k->line, col);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	k->row_bad = true;
}

/* "39.1012" -> 39101200 micro-degrees; -1 if not a decimal number with
 * at most 6 decimals within [-limit, limit]. */
static int
micro_degrees(const char *s, int32_t limit, int32_t *out)
{
	int64_t v = 0, frac = 0;
	int sign = 1, nfrac = 0;
	const char *p = s;

	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > limit)
			return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++nfrac > 6)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
	if (*p != '\0')
		return -1;
	while (nfrac++ < 6)
		frac *= 10;
	v = sign * (v * 1000000 + frac);
	if (v < -(int64_t)limit * 1000000 || v > (int64_t)limit * 1000000)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The column named in a kind rule's reason ("risk.grade: ..."). */
static const char *
rule_column(const char *msg)
{
	static const struct { const char *field, *col; } map[] = {
		{ "risk.id", "risk_id" }, { "risk.name", "name" },
		{ "risk.category", "category" },
		{ "risk.subcategory", "subcategory" },
		{ "risk.grade", "grade" }, { "risk.point", "lat" },
		{ "risk.location", "location" },
		{ "risk.responsible", "responsible" },
		{ "risk.cooperating", "cooperating" },
		{ "risk.measures", "measures" }, { "risk.status", "status" },
		{ "risk.reason", "status" }, { "risk.review", "review_date" },
		{ "areas", "area_code" },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(msg, map[i].field, strlen(map[i].field)) == 0)
			return map[i].col;
	return "row";
}

/* Roster checks (--dir): the agencies exist, the area is the
 * responsible unit's, it may publish risks. */
static void
check_roster(struct check *k, const struct rm_record *rec,
    const struct rm_risk *r)
{
	const struct roster_agency *a = roster_find(k->roster, r->responsible);
	rm_why why;

	if (a == NULL) {
		report(k, "responsible", "%s is not an agency of the roster",
		    r->responsible);
		return;
	}
	for (size_t i = 0; i < r->n_coop; i++)
		if (roster_find(k->roster, r->coop[i]) == NULL)
			report(k, "cooperating", "%s is not an agency of the "
			    "roster", r->coop[i]);
	if (roster_authorise(a, rec, &why) != RM_OK)
		report(k, "responsible", "%s may not publish it: %s",
		    r->responsible, why.msg);
}

/* One data row: build the record it would be and check it. */
static void
check_row(struct check *k, const char *const *f, const int *col)
{
	struct rm_record rec;
	struct rm_risk r;
	char reason[96];
	const char *v;
	rm_why why;
	int32_t lat = 0, lon = 0;
	bool has_lat, has_lon;

	memset(&rec, 0, sizeof(rec));
	memset(&r, 0, sizeof(r));
	rec.schema_version = RM_SCHEMA_VERSION;
	rec.kind = &rm_kind_risk;
	rec.body = &r;
	rec.ver = 1;
	rec.seq = 1;
	rec.issued_ms = rm_utc_now_ms();
	rec.n_areas = 1;
#define CELL(c) (f[col[(c)]])
	if (snprintf(rec.object_id, sizeof(rec.object_id), "%s",
	    CELL(C_ID)) >= (int)sizeof(rec.object_id) ||
	    snprintf(r.id, sizeof(r.id), "%s", CELL(C_ID)) >=
	    (int)sizeof(r.id))
		report(k, "risk_id", "longer than %d bytes", RM_OBJECT_ID_MAX);
	r.name = (char *)CELL(C_NAME);
	if (risk_category_parse(english(CELL(C_CATEGORY)), &r.category) !=
	    RM_OK)
		report(k, "category", "\"%.64s\" is not natural, accident, "
		    "public_health or social_security", CELL(C_CATEGORY));
	if (risk_subcategory_parse(english(CELL(C_SUBCATEGORY)),
	    &r.subcategory) != RM_OK)
		report(k, "subcategory", "\"%.64s\" is not a known subcategory",
		    CELL(C_SUBCATEGORY));
	if (risk_grade_parse(CELL(C_GRADE), &r.grade) != RM_OK &&
	    risk_grade_parse(english(CELL(C_GRADE)), &r.grade) != RM_OK)
		report(k, "grade", "\"%.64s\" is not a grade (重大 red, 较大 "
		    "orange, 一般 yellow, 低 blue)", CELL(C_GRADE));
	if (snprintf(rec.areas[0], sizeof(rec.areas[0]), "%s",
	    CELL(C_AREA)) >= (int)sizeof(rec.areas[0]) ||
	    !area_code_valid(rec.areas[0]))
		report(k, "area_code", "\"%.32s\" is not a GB/T 2260 area code",
		    CELL(C_AREA));
	r.location = (char *)CELL(C_LOCATION);
	has_lat = CELL(C_LAT)[0] != '\0';
	has_lon = CELL(C_LON)[0] != '\0';
	if (has_lat != has_lon)
		report(k, has_lat ? "lon" : "lat", "lat and lon come together");
	else if (has_lat) {
		if (micro_degrees(CELL(C_LAT), 90, &lat) != 0)
			report(k, "lat", "\"%.32s\" is not a latitude (-90..90, "
			    "at most 6 decimals)", CELL(C_LAT));
		if (micro_degrees(CELL(C_LON), 180, &lon) != 0)
			report(k, "lon", "\"%.32s\" is not a longitude (-180..180, "
			    "at most 6 decimals)", CELL(C_LON));
		r.has_point = true;
		r.point.lat_udeg = lat;
		r.point.lon_udeg = lon;
	}
	if (snprintf(r.responsible, sizeof(r.responsible), "%s",
	    CELL(C_RESPONSIBLE)) >= (int)sizeof(r.responsible))
		report(k, "responsible", "too long");
	snprintf(rec.origin, sizeof(rec.origin), "%s", r.responsible);
	/* cooperating units: separated by ';' (sorted by the kind's rule) */
	v = CELL(C_COOPERATING);
	while (*v != '\0' && r.n_coop < RM_RISK_COOP_MAX) {
		size_t len = strcspn(v, ";");

		snprintf(r.coop[r.n_coop++], sizeof(r.coop[0]), "%.*s",
		    (int)(len < sizeof(r.coop[0]) ? len : sizeof(r.coop[0]) - 1),
		    v);
		v += len + (v[len] == ';');
	}
	for (size_t i = 1; i < r.n_coop; i++)     /* insertion sort */
		for (size_t j = i; j > 0 && strcmp(r.coop[j - 1], r.coop[j]) > 0;
		    j--) {
			char t[RM_AGENCY_ID_MAX + 1];

			memcpy(t, r.coop[j], sizeof(t));
			memcpy(r.coop[j], r.coop[j - 1], sizeof(t));
			memcpy(r.coop[j - 1], t, sizeof(t));
		}
	r.measures = CELL(C_MEASURES)[0] != '\0' ? (char *)CELL(C_MEASURES) :
	    NULL;
	if (risk_status_parse(english(CELL(C_STATUS)), &r.status) != RM_OK)
		report(k, "status", "\"%.64s\" is not identified, controlled or "
		    "removed", CELL(C_STATUS));
	if (r.status == RM_RISK_REMOVED) {
		/* the register's own words are the reason */
		snprintf(reason, sizeof(reason), "%.80s", CELL(C_STATUS));
		r.reason = reason;
	}
	snprintf(r.review, sizeof(r.review), "%.10s", CELL(C_REVIEW));
	if (strlen(CELL(C_REVIEW)) != 10 || !risk_date_valid(r.review))
		report(k, "review_date", "\"%.32s\" is not a date YYYY-MM-DD",
		    CELL(C_REVIEW));
#undef CELL
	if (k->row_bad)
		return;
	/* The kind's own rules, exactly as a node applies them. */
	if (record_validate(&rec, &why) != RM_OK) {
		report(k, rule_column(why.msg), "%s", why.msg);
		return;
	}
	if (k->roster != NULL)
		check_roster(k, &rec, &r);
}

/* The header row: each column found by its English word. */
static int
header(const struct cli_cmd *c, struct check *k, const char *const *f,
    size_t nf, int *col)
{
	for (int i = 0; i < C_COUNT; i++) {
		col[i] = -1;
		for (size_t j = 0; j < nf; j++) {
			if (strcmp(english(f[j]), col_names[i]) != 0)
				continue;
			if (col[i] >= 0)
				return cli_fail(c, "%s:%zu: header: column %s "
				    "twice (columns %d and %zu)", k->file, k->line,
				    col_names[i], col[i] + 1, j + 1);
			col[i] = (int)j;
		}
		if (col[i] < 0)
			return cli_fail(c, "%s:%zu: header: no column %s (bilingual "
			    "headers end with the English name, e.g. \"风险等级 "
			    "grade\")", k->file, k->line, col_names[i]);
	}
	return CLI_EXIT_OK;
}

/* Duplicate risk ids: every later one is reported with the first. */
struct seen_id {
	char id[RM_OBJECT_ID_MAX + 1];
	size_t line;
};

static int
seen_cmp(const void *x, const void *y)
{
	const struct seen_id *a = x, *b = y;
	int c = strcmp(a->id, b->id);

	return c != 0 ? c : (a->line < b->line ? -1 : a->line > b->line);
}

static void
report_duplicates(struct check *k, struct seen_id *ids, size_t n)
{
	qsort(ids, n, sizeof(*ids), seen_cmp);
	for (size_t i = 1, first = 0; i < n; i++) {
		if (strcmp(ids[i].id, ids[first].id) != 0) {
			first = i;
			continue;
		}
		fprintf(stderr, "%s:%zu: risk_id: %s listed twice (first on line "
		    "%zu)\n", k->file, ids[i].line, ids[i].id, ids[first].line);
		k->bad_rows++;
	}
}

static int
run_import(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct check k = { .file = a->pos[0] };
	struct seen_id *ids = NULL;
	size_t n_ids = 0, cap_ids = 0, nf;
	rm_buf file = RM_BUF_INIT, scratch = RM_BUF_INIT;
	struct feddir fd;
	bool have_dir = cli_get(a, "dir") != NULL, have_header = false;
	int col[C_COUNT], rv = CLI_EXIT_OK, crv;
	rm_csv rd;
	rm_why why;

	if (!cli_has(a, "check"))
		return cli_usage(c, "give --check: a register is checked "
		    "offline here; it is issued through a node's POST /v1/risks "
		    "(riskmesh risk add)");
	memset(&fd, 0, sizeof(fd));
	if (have_dir) {
		if ((rv = feddir_open(c, cli_get(a, "dir"), false, &fd)) != 0)
			return rv;
		k.roster = fd.roster;
	}
	if (rm_file_read(k.file, RISK_CSV_MAX, &file, &why) != RM_OK) {
		rv = cli_fail(c, "%s", why.msg);
		goto out;
	}
	rm_csv_init(&rd, (const char *)file.data, file.len);
	for (;;) {
		const char *f[RM_CSV_FIELDS_MAX];

		crv = rm_csv_next(&rd, &scratch, f, RM_CSV_FIELDS_MAX, &nf,
		    &k.line, &why);
		if (crv == RM_ENOTFOUND)
			break;
		if (crv != RM_OK) {
			rv = cli_fail(c, "%s: %s", k.file, why.msg);
			goto out;
		}
		if (!have_header) {
			if ((rv = header(c, &k, f, nf, col)) != 0)
				goto out;
			have_header = true;
			continue;
		}
		k.rows++;
		k.row_bad = false;
		for (int i = 0; i < C_COUNT; i++)
			if ((size_t)col[i] >= nf) {
				report(&k, col_names[i], "missing (the row has %zu "
				    "columns)", nf);
				break;
			}
		if (!k.row_bad)
			check_row(&k, f, col);
		if (k.row_bad)
			k.bad_rows++;
		if (n_ids == cap_ids) {
			size_t cap = cap_ids ? cap_ids * 2 : 256;
			struct seen_id *ni = realloc(ids, cap * sizeof(*ni));

			if (ni == NULL) {
				rv = cli_fail(c, "out of memory");
				goto out;
			}
			ids = ni;
			cap_ids = cap;
		}
		snprintf(ids[n_ids].id, sizeof(ids[n_ids].id), "%s",
		    (size_t)col[C_ID] < nf ? f[col[C_ID]] : "");
		ids[n_ids++].line = k.line;
	}
	if (!have_header) {
		rv = cli_fail(c, "%s: empty file", k.file);
		goto out;
	}
	report_duplicates(&k, ids, n_ids);
	if (k.bad_rows > 0) {
		rv = cli_fail(c, "%s: %zu bad row%s of %zu", k.file, k.bad_rows,
		    k.bad_rows == 1 ? "" : "s", k.rows);
		goto out;
	}
	printf("%s: %zu risks, all valid%s\n", k.file, k.rows, have_dir ?
	    " (agencies and areas checked against the roster)" : "");
out:
	free(ids);
	rm_buf_fini(&file);
	rm_buf_fini(&scratch);
	if (have_dir)
		feddir_close(&fd);
	return rv;
}

static const struct cli_opt import_opts[] = {
	{ "check", 0, NULL, 0, "check the file offline (required for now)" },
	{ "dir", 0, "DIR", 0, "federation directory: also check agencies "
	  "and areas against its roster" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_risk_import = {
	.name = "risk import",
	.synopsis = "--check [--dir DIR] FILE.csv",
	.summary = "check a risk register CSV (风险清单) offline",
	.details = "The spreadsheet form offices keep (sims/data/"
	    "risk-register.csv): UTF-8, with or\nwithout BOM, CRLF or LF, "
	    "quoted fields with commas and line breaks; bilingual\nheaders "
	    "(\"风险等级 grade\") and values (\"较大 orange\"). Every row is "
	    "checked by the\nrisk kind's own rules; every bad one is reported "
	    "as FILE:LINE: COLUMN: reason.\nExit 0 only for a clean file.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = import_opts,
	.run = run_import,
};
