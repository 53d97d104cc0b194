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
 * the responsible unit's). Without --check the file is imported into
 * the node of -c (cli_risk_upload.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"
#include "node/repr/repr.h"

#define RISK_CSV_MAX (256u << 20)

#define CHECK_ORIGINS 8

struct check {
	const char *file;
	const struct roster *roster;     /* NULL without --dir */
	size_t bad_rows, rows;
	/* rows by origin column (登记单位): whose register they are */
	struct { char id[RM_AGENCY_ID_MAX + 1]; size_t n; }
	    origin[CHECK_ORIGINS];
	size_t n_origin, origin_rows;
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

/* repr_risk_report_fn: a cell's problem, on this row's line. */
static void
report_cell(void *arg, const char *column, const char *msg)
{
	report(arg, column, "%s", msg);
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
	/* as the node: cooperating units are not checked against the
	 * roster (docs/API.md); a unit it does not know is a note */
	for (size_t i = 0; i < r->n_coop; i++)
		if (roster_find(k->roster, r->coop[i]) == NULL)
			printf("%s:%zu: cooperating: note: %s is not an agency of "
			    "the roster (not checked: imported as given)\n",
			    k->file, k->line, r->coop[i]);
	if (roster_authorise(a, rec, &why) != RM_OK)
		report(k, "responsible", "%s may not publish it: %s",
		    r->responsible, why.msg);
}

/* One data row: the record it would be, through the kind's rules. */
static void
check_row(struct check *k, const char *const *f, size_t nf,
    const struct repr_risk_csv_map *map)
{
	struct repr_risk_row row;
	size_t i;

	if (repr_risk_csv_row(map, f, nf, rm_utc_now_ms(), &row, report_cell,
	    k) != RM_OK)
		return;
	if (k->roster != NULL)
		check_roster(k, &row.rec, &row.risk);
	if (row.origin[0] == '\0')
		return;
	k->origin_rows++;
	for (i = 0; i < k->n_origin; i++)
		if (strcmp(k->origin[i].id, row.origin) == 0)
			break;
	if (i == k->n_origin && i < CHECK_ORIGINS)
		memcpy(k->origin[k->n_origin++].id, row.origin,
		    sizeof(row.origin));
	if (i < k->n_origin)
		k->origin[i].n++;
}

/* Whose registers a file of several holds: a node imports only the
 * rows of its own agency and leaves the others (counted "foreign"). */
static void
print_origins(const struct check *k)
{
	size_t listed = 0;

	if (k->origin_rows == 0)
		return;
	printf("%s: %zu rows name their register (登记单位 origin):", k->file,
	    k->origin_rows);
	for (size_t i = 0; i < k->n_origin; i++) {
		printf("%s %s %zu", i > 0 ? "," : "", k->origin[i].id,
		    k->origin[i].n);
		listed += k->origin[i].n;
	}
	if (listed < k->origin_rows)
		printf(", others %zu", k->origin_rows - listed);
	printf("\n%s: a node imports the rows of its own agency (and those "
	    "without an origin)\nand leaves the others alone, counted as "
	    "foreign\n", k->file);
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
	struct repr_risk_csv_map map;
	int rv = CLI_EXIT_OK, crv;
	rm_csv rd;
	rm_why why;

	if (!cli_has(a, "check"))
		return cli_risk_upload(a);
	if (cli_has(a, "config") || cli_has(a, "skip-errors"))
		return cli_usage(c, "--check works offline: without -c and "
		    "--skip-errors");
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
			if (repr_risk_csv_header(f, nf, &map, &why) != RM_OK) {
				rv = cli_fail(c, "%s:%zu: header: %s", k.file,
				    k.line, why.msg);
				goto out;
			}
			have_header = true;
			continue;
		}
		k.rows++;
		k.row_bad = false;
		check_row(&k, f, nf, &map);
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
		    (size_t)map.col[REPR_RISK_ID] < nf ? f[map.col[REPR_RISK_ID]] :
		    "");
		ids[n_ids++].line = k.line;
	}
	if (!have_header) {
		rv = cli_fail(c, "%s: empty file", k.file);
		goto out;
	}
	report_duplicates(&k, ids, n_ids);
	if (k.bad_rows > 0) {
		rv = cli_fail(c, "%s: %zu bad row%s of %zu (a node imports "
		    "nothing of it unless --skip-errors)", k.file, k.bad_rows,
		    k.bad_rows == 1 ? "" : "s", k.rows);
		goto out;
	}
	printf("%s: %zu risks, all valid%s\n", k.file, k.rows, have_dir ?
	    " (agencies and areas checked against the roster)" : "");
	print_origins(&k);
out:
	free(ids);
	rm_buf_fini(&file);
	rm_buf_fini(&scratch);
	if (have_dir)
		feddir_close(&fd);
	return rv;
}

static const struct cli_opt import_opts[] = {
	{ "check", 0, NULL, 0, "check the file offline (no node needed)" },
	{ "dir", 0, "DIR", 0, "with --check: federation directory, also "
	  "check agencies and areas against its roster" },
	{ "config", 'c', "NODE.CONF", 0, "import into this node (without "
	  "--check)" },
	{ "skip-errors", 0, NULL, 0, "import the good rows of a file with "
	  "bad ones (each bad row is still reported)" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_risk_import = {
	.name = "risk import",
	.synopsis = "--check [--dir DIR] FILE.csv | -c NODE.CONF "
	    "[--skip-errors] FILE.csv",
	.summary = "check a risk register CSV (风险清单) offline, or import "
	    "it into a node",
	.details = "The spreadsheet form offices keep (sims/data/"
	    "risk-register.csv): UTF-8, with or\nwithout BOM, CRLF or LF, "
	    "quoted fields with commas and line breaks; bilingual\nheaders "
	    "(\"风险等级 grade\") and values (\"较大 orange\"). Every row is "
	    "checked by the\nrisk kind's own rules; every bad one is reported "
	    "as FILE:LINE: COLUMN: reason.\nExit 0 only for a clean file.\n\n"
	    "With -c the file is imported into that node (POST /v1/risks/"
	    "import): new ids\nare created, changed rows become new versions, "
	    "status removed removes, unchanged\nrows are counted. Rows whose "
	    "origin column (登记单位 origin, written by\nthe CSV views) names "
	    "another agency are left alone and counted as foreign,\nso that "
	    "an export of the city register imports into any node.\nA file "
	    "with a bad row imports nothing unless --skip-errors.\nA large "
	    "file is checked whole, then sent in pieces of 5,000 rows, with a\n"
	    "progress bar when stderr is a terminal.",
	.min_pos = 1,
	.max_pos = 1,
	.opts = import_opts,
	.run = run_import,
};
