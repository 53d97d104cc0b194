/*
 * cli_import.c -- `riskmesh agency import` and `riskmesh roster import`:
 * agencies from a CSV file (sims/data/agencies.csv format). Every row is
 * checked first and every bad field reported as FILE:LINE: FIELD:
 * reason; a file with a bad row signs nothing. Then one charter re-sign
 * if new provinces need registrars, and one append of all agency
 * records to DIR/agencies.cbor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

/* The columns, in the order of sims/data/agencies.csv's header: the one
 * list, split by run_import and printed as is by --help. */
#define CSV_COLS 7
#define CSV_HEADER "agency_id,name_zh,name_en,kind,areas,max_grade,publishes"
#define CSV_MAX_BYTES (64u << 20)

/* Rows read so far. */
struct rows {
	struct roster_agency *es;
	size_t *line;
	size_t n, cap;
	size_t n_bad;             /* bad rows */
	const char *csv;
	const char *cmd;          /* command name for notes */
};

/* Report "FILE:LINE: FIELD: reason" for one bad field of a row. */
static void
row_bad(struct rows *r, size_t line, bool *bad, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
row_bad(struct rows *r, size_t line, bool *bad, const char *field,
    const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%zu: %s: ", r->csv, line, field);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (!*bad)
		r->n_bad++;
	*bad = true;
}

static struct roster_agency *
row_add(struct rows *r, size_t line)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct roster_agency *es = realloc(r->es, cap * sizeof(*es));
		size_t *ln;

		if (es == NULL)
			return NULL;
		r->es = es;
		if ((ln = realloc(r->line, cap * sizeof(*ln))) == NULL)
			return NULL;
		r->line = ln;
		r->cap = cap;
	}
	memset(&r->es[r->n], 0, sizeof(r->es[0]));
	r->line[r->n] = line;
	return &r->es[r->n++];
}

/* A text field of 1..ROSTER_NAME_MAX bytes of UTF-8 into out. */
static void
row_text(struct rows *r, size_t line, bool *bad, const char *field,
    const char *v, char *out, size_t n)
{
	size_t l = strlen(v);

	if (l == 0 || l > ROSTER_NAME_MAX || l >= n || !rm_utf8_valid(v, l))
		row_bad(r, line, bad, field, "1..%d bytes of UTF-8 expected "
		    "(%zu bytes)", ROSTER_NAME_MAX, l);
	else
		memcpy(out, v, l + 1);
}

/* Check one row's fields f[col[k]] into a new entry; every bad field is
 * reported. */
static void
row_check(struct rows *r, struct feddir *fd, size_t line, char **f,
    const int *col)
{
	struct roster_agency *e = row_add(r, line);
	bool bad = false;
	rm_why why;

	if (e == NULL) {
		row_bad(r, line, &bad, "row", "out of memory");
		return;
	}
#define COL(k) f[col[k]]
	if (strlen(COL(0)) > RM_AGENCY_ID_MAX || !agency_id_valid(COL(0)))
		row_bad(r, line, &bad, "agency_id", "\"%.64s\" is not an agency "
		    "id (%s)", COL(0), RM_AGENCY_ID_RULE);
	else if (roster_find(fd->charter, COL(0)) != NULL)
		row_bad(r, line, &bad, "agency_id", "%s is named by the charter "
		    "(roster.cose)", COL(0));
	else
		strcpy(e->id, COL(0));
	row_text(r, line, &bad, "name_zh", COL(1), e->name_zh,
	    sizeof(e->name_zh));
	row_text(r, line, &bad, "name_en", COL(2), e->name_en,
	    sizeof(e->name_en));
	if (strlen(COL(3)) >= sizeof(e->role) || !cli_role_ok(COL(3)))
		row_bad(r, line, &bad, "kind", "\"%.32s\" is not centre, "
		    "department or district", COL(3));
	else
		strcpy(e->role, COL(3));
	if (cli_parse_areas(e, COL(4), ';', &why) != 0)
		row_bad(r, line, &bad, "areas", "%s", why.msg);
	else if (registrar_areas_ok(e, &why) != RM_OK)
		row_bad(r, line, &bad, "areas", "%s", why.msg);
	if (grade_parse(COL(5), &e->max_grade) != RM_OK)
		row_bad(r, line, &bad, "max_grade", "unknown grade \"%.32s\" "
		    "(blue|yellow|orange|red)", COL(5));
	if (cli_parse_kinds(e, COL(6), ';', false, &why) != 0)
		row_bad(r, line, &bad, "publishes", "%s", why.msg);
#undef COL
	if (bad) {
		r->n--;
		return;
	}
	if (e->kinds == 0) {
		fprintf(stderr, "riskmesh %s: %s:%zu: skipped %s: publishes "
		    "no supported kind\n", r->cmd, r->csv, line, e->id);
		r->n--;
	}
}

static const struct rows *dup_rows;

static int
dup_cmp(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(dup_rows->es[i].id, dup_rows->es[j].id);

	return c != 0 ? c : (i < j ? -1 : i > j);
}

/* Every id listed twice is reported (at its later lines). */
static int
row_dups(struct rows *r)
{
	size_t *ix = calloc(r->n ? r->n : 1, sizeof(*ix));

	if (ix == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++)
		ix[i] = i;
	dup_rows = r;
	qsort(ix, r->n, sizeof(*ix), dup_cmp);
	for (size_t k = 1, first = 0; k < r->n; k++) {
		bool bad = false;

		if (strcmp(r->es[ix[k]].id, r->es[ix[first]].id) != 0) {
			first = k;
			continue;
		}
		row_bad(r, r->line[ix[k]], &bad, "agency_id", "%s listed "
		    "twice (first on line %zu)", r->es[ix[k]].id,
		    r->line[ix[first]]);
	}
	free(ix);
	return 0;
}

/* Provision, stage and write every row: one charter re-sign for new
 * registrars, one append to DIR/agencies.cbor. */
static int
import_rows(const struct cli_args *a, struct feddir *fd, struct rows *r,
    unsigned days)
{
	const struct cli_cmd *c = a->cmd;
	size_t n_new = 0, n_changed = 0, n_same = 0;
	bool *changed = calloc(r->n ? r->n : 1, sizeof(*changed));
	rm_mono_ms t0 = rm_mono_now_ms();
	int rv;

	if (changed == NULL)
		return cli_fail(c, "out of memory");
	if ((rv = feddir_registrars(c, fd, r->es, r->n)) != 0)
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		struct roster_agency *e = &r->es[i];
		bool is_new = registry_find(fd->reg, e->id) == NULL;

		if ((rv = cli_agency_provision(c, fd, e, days,
		    cli_has(a, "new-keys") ||
		    !cli_agency_key_usable(fd, e->id))) != 0 ||
		    (rv = cli_agency_stage(c, fd, e, &changed[i])) != 0)
			goto out;
		n_new += is_new;
		n_changed += changed[i] && !is_new;
		n_same += !changed[i];
	}
	if ((rv = feddir_commit(c, fd)) != 0)
		goto out;
	for (size_t i = 0; i < r->n; i++) {
		if (changed[i])
			cli_print_added(&r->es[i]);
		else
			printf("unchanged %s\n", r->es[i].id);
	}
	{
		size_t bytes;

		registry_data(fd->reg, &bytes);
		printf("%zu agency records signed (%zu new, %zu changed), %zu "
		    "unchanged; charter version %llu, %zu agencies\n"
		    "%s/%s: %zu records, %zu bytes (%lld ms)\n",
		    n_new + n_changed, n_new, n_changed, n_same,
		    (unsigned long long)roster_version(fd->charter),
		    roster_count(fd->roster), fd->dir, FEDDIR_RECORDS,
		    registry_records(fd->reg), bytes,
		    (long long)(rm_mono_now_ms() - t0));
	}
out:
	free(changed);
	return rv;
}

int
cli_import_run(const struct cli_args *a, const char *csv)
{
	const struct cli_cmd *c = a->cmd;
	char only_buf[4096], *only[ROSTER_CHARTER_MAX];
	struct feddir fd = { .root = NULL, .roster = NULL };
	struct rows r = { .csv = csv, .cmd = a->cmd->name };
	bool *found = NULL;
	rm_buf file = RM_BUF_INIT;
	rm_why w;
	size_t n_only = 0, lineno = 0;
	unsigned days;
	rm_buf scratch = RM_BUF_INIT;
	bool header_seen = false;
	rm_csv rd;
	int rv, col[CSV_COLS];
	char cols_buf[] = CSV_HEADER, *csv_cols[CSV_COLS];

	if (cli_split(cols_buf, ',', csv_cols, CSV_COLS) != CSV_COLS)
		return cli_fail(c, "internal: CSV_HEADER is not %d columns",
		    CSV_COLS);
	if ((rv = cli_parse_days_opt(a, &days)) != 0)
		return rv;
	if (cli_get(a, "only") != NULL) {
		int n;
		if (snprintf(only_buf, sizeof(only_buf), "%s",
		    cli_get(a, "only")) >= (int)sizeof(only_buf) ||
		    (n = cli_split(only_buf, ',', only,
		    ROSTER_CHARTER_MAX)) < 0)
			return cli_usage(c, "--only: expected agency ids "
			    "separated by ','");
		n_only = (size_t)n;
	}
	if (rm_file_read(csv, CSV_MAX_BYTES, &file, &w) != RM_OK)
		return cli_fail(c, "%s", w.msg);
	if ((found = calloc(n_only + 1, sizeof(*found))) == NULL) {
		rv = cli_fail(c, "out of memory");
		goto out;
	}
	if ((rv = feddir_open(c, cli_get(a, "dir"), true, &fd)) != 0)
		goto out;
	rv = CLI_EXIT_FAIL;
	/* RFC 4180 as spreadsheets save it: BOM, CRLF, quoted commas and
	 * line breaks (common.h, rm_csv). A quoting error leaves the row
	 * boundaries unknown: it ends the check (nothing is signed). */
	rm_csv_init(&rd, (const char *)file.data, file.len);
	for (;;) {
		const char *cf[CSV_COLS + 8];
		char *f[CSV_COLS + 8];
		bool bad = false;
		size_t nfs;
		int nf, crv;

		crv = rm_csv_next(&rd, &scratch, cf, CSV_COLS + 8, &nfs, &lineno,
		    &w);
		if (crv == RM_ENOTFOUND)
			break;
		if (crv != RM_OK) {
			cli_fail(c, "%s: %s; nothing signed", csv, w.msg);
			goto out;
		}
		nf = (int)nfs;
		for (int k = 0; k < nf; k++)
			f[k] = (char *)cf[k];
		if (!header_seen) {
			header_seen = true;
			for (int k = 0; k < CSV_COLS; k++) {
				col[k] = -1;
				for (int jj = 0; jj < nf; jj++)
					if (strcmp(f[jj], csv_cols[k]) == 0)
						col[k] = jj;
				if (col[k] < 0) {
					cli_fail(c, "%s:%zu: header: missing "
					    "column %s", csv, lineno, csv_cols[k]);
					goto out;
				}
			}
			continue;
		}
		for (int k = 0; k < CSV_COLS; k++)
			if (col[k] >= nf)
				row_bad(&r, lineno, &bad, csv_cols[k],
				    "missing column");
		if (bad)
			continue;
		if (n_only > 0) {
			size_t j;
			for (j = 0; j < n_only; j++)
				if (strcmp(only[j], f[col[0]]) == 0)
					break;
			if (j == n_only)
				continue;
			found[j] = true;
		}
		if (r.n + r.n_bad >= ROSTER_AGENCIES_MAX) {
			cli_fail(c, "%s:%zu: more than %d agencies", csv,
			    lineno, ROSTER_AGENCIES_MAX);
			goto out;
		}
		row_check(&r, &fd, lineno, f, col);
	}
	if (row_dups(&r) != 0) {
		cli_fail(c, "out of memory");
		goto out;
	}
	if (r.n_bad > 0) {
		cli_fail(c, "%s: %zu bad row%s; nothing signed", csv, r.n_bad,
		    r.n_bad == 1 ? "" : "s");
		goto out;
	}
	for (size_t j = 0; j < n_only; j++) {
		if (!found[j]) {
			cli_fail(c, "--only: %s is not in %s", only[j], csv);
			goto out;
		}
	}
	rv = import_rows(a, &fd, &r, days);
out:
	for (size_t i = 0; i < r.n; i++) {
		crypto_key_free(r.es[i].key);
		crypto_key_free(r.es[i].enc_key);
	}
	free(r.es);
	free(r.line);
	free(found);
	feddir_close(&fd);
	rm_buf_fini(&file);
	rm_buf_fini(&scratch);
	return rv;
}

static int
run_import(const struct cli_args *a)
{
	return cli_import_run(a, cli_get(a, "csv"));
}

static const struct cli_opt import_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "csv", 0, "FILE", CLI_REQUIRED, "agencies CSV with a header row "
	  "(columns above)" },
	{ "only", 0, "ID[,ID...]", 0, "import only these agencies" },
	{ "days", 0, "N", 0, "TLS certificate validity in days (default 825)" },
	{ "new-keys", 0, NULL, 0, "generate new keys even for agencies that "
	  "have some" },
	{ NULL, 0, NULL, 0, NULL },
};

#define IMPORT_DETAILS "Columns, named by the header row (as in " \
	"sims/data/agencies.csv):\n  " CSV_HEADER "\nkind is the role " \
	"(centre|department|district); areas are GB/T 2260 codes\n" \
	"separated by ';', all in one province; max_grade is " \
	"blue|yellow|orange|red;\npublishes lists kinds separated by ';' " \
	"(alert, risk, task, indicator, ...);\nthose this version does not " \
	"know are skipped, and an agency with none\nof the known kinds is " \
	"skipped with a note. Every row is checked first; each\nbad field is " \
	"reported as FILE:LINE: FIELD: reason and nothing is signed.\nThen " \
	"each agency gets its keys and TLS certificate and its record,\n" \
	"signed by its province's registrar; the records are appended to\n" \
	"DIR/agencies.cbor in one write.\nAn agency whose record would not " \
	"change is left as it is."

const struct cli_cmd cli_agency_import = {
	.name = "agency import",
	.synopsis = "--dir DIR --csv FILE [--only ID,ID,...] [--days N] "
	    "[--new-keys]",
	.summary = "add agencies from a CSV file (one append of records)",
	.details = IMPORT_DETAILS,
	.opts = import_opts,
	.run = run_import,
};

static int
run_roster_import(const struct cli_args *a)
{
	return cli_import_run(a, a->pos[0]);
}

static const struct cli_opt roster_import_opts[] = {
	{ "dir", 0, "DIR", CLI_REQUIRED, "federation directory" },
	{ "only", 0, "ID[,ID...]", 0, "import only these agencies" },
	{ "days", 0, "N", 0, "TLS certificate validity in days (default 825)" },
	{ "new-keys", 0, NULL, 0, "generate new keys even for agencies that "
	  "have some" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_roster_import = {
	.name = "roster import",
	.synopsis = "--dir DIR FILE.csv [--only ID,ID,...] [--days N] "
	    "[--new-keys]",
	.summary = "add agencies from a CSV file (as agency import --csv)",
	.details = IMPORT_DETAILS,
	.opts = roster_import_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_roster_import,
};
