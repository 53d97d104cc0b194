/*
 * cli_import.c -- `riskmesh agency import`: agencies from a CSV file
 * (sims/data/agencies.csv format), all checked before anything is
 * written, one roster version bump.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"

/* The columns, in the order of sims/data/agencies.csv's header: the one
 * list, split by run_import and printed as is by --help. */
#define CSV_COLS 7
#define CSV_HEADER "agency_id,name_zh,name_en,kind,areas,max_grade,publishes"

/* Split one CSV line (RFC 4180 quoting) in place; returns field count
 * or -1 on bad quoting. */
static int
csv_fields(char *s, char **f, int max)
{
	int n = 0;

	for (;;) {
		char *w;

		if (n == max)
			return -1;
		if (*s == '"') {
			f[n++] = w = ++s;
			for (;;) {
				if (*s == '\0')
					return -1;
				if (*s == '"' && s[1] == '"') {
					*w++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else
					*w++ = *s++;
			}
			if (*s != ',' && *s != '\0')
				return -1;
			*w = '\0';
		} else {
			f[n++] = s;
			s += strcspn(s, ",");
		}
		if (*s == '\0')
			return n;
		*s++ = '\0';
	}
}

static int
run_import(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *csv = cli_get(a, "csv");
	char only_buf[4096], *only[ROSTER_CHARTER_MAX];
	rm_why why;
	struct roster_agency *es = NULL;
	struct feddir fd = { .root = NULL, .roster = NULL };
	bool *found = NULL;
	rm_buf file = RM_BUF_INIT;
	rm_why w;
	size_t n_es = 0, n_only = 0, lineno = 0;
	unsigned days;
	char *line, *next;
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
	if (rm_file_read(csv, 4 << 20, &file, &w) != RM_OK ||
	    rm_buf_cstr(&file) != RM_OK)
		return cli_fail(c, "%s", w.msg);
	es = calloc(ROSTER_CHARTER_MAX, sizeof(*es));
	found = calloc(n_only + 1, sizeof(*found));
	if (es == NULL || found == NULL) {
		rv = cli_fail(c, "out of memory");
		goto out;
	}
	rv = CLI_EXIT_FAIL;
	for (line = (char *)file.data; line != NULL; line = next) {
		char *f[CSV_COLS + 8];
		struct roster_agency *e;
		int nf;

		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		if (lineno == 1 && strncmp(line, "\xef\xbb\xbf", 3) == 0)
			line += 3;
		if (*line == '\0')
			continue;
		if ((nf = csv_fields(line, f, CSV_COLS + 8)) < 0) {
			cli_fail(c, "%s:%zu: bad CSV quoting or too many "
			    "columns", csv, lineno);
			goto out;
		}
		if (lineno == 1) {
			for (int k = 0; k < CSV_COLS; k++) {
				col[k] = -1;
				for (int j = 0; j < nf; j++)
					if (strcmp(f[j], csv_cols[k]) == 0)
						col[k] = j;
				if (col[k] < 0) {
					cli_fail(c, "%s:1: header: missing "
					    "column %s", csv, csv_cols[k]);
					goto out;
				}
			}
			continue;
		}
		for (int k = 0; k < CSV_COLS; k++) {
			if (col[k] >= nf) {
				cli_fail(c, "%s:%zu: %s: missing column", csv,
				    lineno, csv_cols[k]);
				goto out;
			}
		}
		if (n_only > 0) {
			size_t j;
			for (j = 0; j < n_only; j++)
				if (strcmp(only[j], f[col[0]]) == 0)
					break;
			if (j == n_only)
				continue;
			found[j] = true;
		}
		if (n_es == ROSTER_CHARTER_MAX) {
			cli_fail(c, "%s:%zu: more than %d agencies", csv,
			    lineno, ROSTER_CHARTER_MAX);
			goto out;
		}
		e = &es[n_es];
		memset(e, 0, sizeof(*e));
#define COL(k) f[col[k]]
		if (strlen(COL(0)) > RM_AGENCY_ID_MAX ||
		    strlen(COL(1)) > ROSTER_NAME_MAX ||
		    strlen(COL(2)) > ROSTER_NAME_MAX ||
		    strlen(COL(3)) >= sizeof(e->role)) {
			cli_fail(c, "%s:%zu: a field is too long", csv, lineno);
			goto out;
		}
		if (!agency_id_valid(COL(0))) {
			cli_fail(c, "%s:%zu: agency_id: \"%.64s\" is not an "
			    "agency id", csv, lineno, COL(0));
			goto out;
		}
		strcpy(e->id, COL(0));
		strcpy(e->name_zh, COL(1));
		strcpy(e->name_en, COL(2));
		strcpy(e->role, COL(3));
		if (!cli_role_ok(e->role)) {
			cli_fail(c, "%s:%zu: kind: \"%s\" is not centre, "
			    "department or district", csv, lineno, e->role);
			goto out;
		}
		if (cli_parse_areas(e, COL(4), ';', &why) != 0) {
			cli_fail(c, "%s:%zu: areas: %s", csv, lineno, why.msg);
			goto out;
		}
		if (grade_parse(COL(5), &e->max_grade) != RM_OK) {
			cli_fail(c, "%s:%zu: max_grade: unknown grade \"%s\" "
			    "(blue|yellow|orange|red)", csv, lineno, COL(5));
			goto out;
		}
		if (cli_parse_kinds(e, COL(6), ';', false, &why) != 0) {
			cli_fail(c, "%s:%zu: publishes: %s", csv, lineno, why.msg);
			goto out;
		}
#undef COL
		if (e->kinds == 0) {
			fprintf(stderr, "riskmesh %s: %s:%zu: skipped %s: "
			    "publishes no supported kind\n", c->name, csv,
			    lineno, e->id);
			continue;
		}
		for (size_t j = 0; j < n_es; j++) {
			if (strcmp(es[j].id, e->id) == 0) {
				cli_fail(c, "%s:%zu: agency_id: %s listed "
				    "twice", csv, lineno, e->id);
				goto out;
			}
		}
		n_es++;
	}
	for (size_t j = 0; j < n_only; j++) {
		if (!found[j]) {
			cli_fail(c, "--only: %s is not in %s", only[j], csv);
			goto out;
		}
	}
	if ((rv = feddir_open(c, cli_get(a, "dir"), true, &fd)) != 0)
		goto out;
	for (size_t i = 0; i < n_es; i++) {
		if ((rv = cli_agency_provision(c, &fd, &es[i], days,
		    cli_has(a, "new-keys"))) != 0)
			goto out;
	}
	if ((rv = feddir_save_roster(c, &fd, es, n_es)) != 0)
		goto out;
	for (size_t i = 0; i < n_es; i++)
		cli_print_added(&es[i]);
	printf("roster version %llu, %zu agencies\n",
	    (unsigned long long)roster_version(fd.roster),
	    roster_count(fd.roster));
out:
	for (size_t i = 0; es != NULL && i < n_es; i++)
		crypto_key_free(es[i].key);
	free(es);
	free(found);
	feddir_close(&fd);
	rm_buf_fini(&file);
	return rv;
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

const struct cli_cmd cli_agency_import = {
	.name = "agency import",
	.synopsis = "--dir DIR --csv FILE [--only ID,ID,...] [--days N] "
	    "[--new-keys]",
	.summary = "add agencies from a CSV file (one roster version bump)",
	.details = "Columns, named by the header row (as in "
	    "sims/data/agencies.csv):\n  " CSV_HEADER "\nkind is the role "
	    "(centre|department|district); areas are GB/T 2260 codes\n"
	    "separated by ';'; max_grade is blue|yellow|orange|red; "
	    "publishes lists kinds\nseparated by ';'. Kinds this version "
	    "does not support (risk, task, indicator)\nare skipped; an agency "
	    "with none of the supported kinds is skipped with a\n"
	    "note. Every row is checked before anything is written.",
	.opts = import_opts,
	.run = run_import,
};

