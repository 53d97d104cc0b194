/*
 * cli_risk_upload.c -- `riskmesh risk import -c NODE.CONF FILE.csv`: a
 * risk register sent to a node (POST /v1/risks/import, docs/API.md)
 * and the node's report printed: counts, and every bad row as
 * FILE:LINE: COLUMN: reason (the format of --check).
 *
 * A file of more than CLI_PIECE_ROWS rows is first checked whole by the
 * node (check=1: nothing imported, every bad row named), so that a file
 * with errors imports nothing; then it is sent in pieces of
 * CLI_PIECE_ROWS rows, each the header plus its rows and first_line
 * (the file's line of its first row), so that every report names the
 * file's own lines. A progress bar is drawn on stderr per piece
 * acknowledged when stderr is a terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

#define CLI_PIECE_ROWS   5000
#define CLI_UPLOAD_MAX   (64u << 20)     /* the node's body limit */
#define CLI_BUSY_STEP_MS 250
#define CLI_BUSY_MAX_MS  15000

struct upload {
	const struct cli_cmd *c;
	const char *file;
	struct node_config *cf;
	bool skip, bar;
	size_t *start;               /* byte offset of each data row */
	size_t *line;                /* its line */
	size_t n_rows, cap;
	size_t hdr_len;              /* bytes of the header (with BOM) */
	const uint8_t *p;
	size_t len;
	long long sum[7];            /* created updated removed unchanged
	                                skipped rows foreign */
};

static const char *const sum_keys[7] = { "created", "updated", "removed",
	"unchanged", "skipped", "rows", "foreign" };

/* Find every data row (offsets and lines); the node checks them. */
static int
split_rows(struct upload *u)
{
	const char *f[RM_CSV_FIELDS_MAX];
	rm_buf scratch = RM_BUF_INIT;
	size_t nf, line, off;
	rm_csv rd;
	rm_why why;
	int rv;

	rm_csv_init(&rd, (const char *)u->p, u->len);
	for (bool hdr = true;; hdr = false) {
		off = rd.off;
		if ((rv = rm_csv_next(&rd, &scratch, f, RM_CSV_FIELDS_MAX, &nf,
		    &line, &why)) == RM_ENOTFOUND)
			break;
		if (rv != RM_OK) {
			rm_buf_fini(&scratch);
			return cli_fail(u->c, "%s: %s", u->file, why.msg);
		}
		if (hdr) {
			u->hdr_len = rd.off;
			continue;
		}
		if (u->n_rows == u->cap) {
			size_t cap = u->cap ? u->cap * 2 : 1024;
			size_t *s = realloc(u->start, (cap + 1) * sizeof(*s));
			size_t *l = s != NULL ? realloc(u->line, cap *
			    sizeof(*l)) : NULL;

			if (s != NULL)
				u->start = s;
			if (l == NULL) {
				rm_buf_fini(&scratch);
				return cli_fail(u->c, "out of memory");
			}
			u->line = l;
			u->cap = cap;
		}
		u->start[u->n_rows] = off;
		u->line[u->n_rows++] = line;
	}
	rm_buf_fini(&scratch);
	if (u->hdr_len == 0)
		return cli_fail(u->c, "%s: empty file", u->file);
	if (u->start != NULL)
		u->start[u->n_rows] = u->len;
	return CLI_EXIT_OK;
}

/* POST one body; a 503 EBUSY (nothing stored) is re-sent for a while. */
static int
send_piece(struct upload *u, const char *path, const void *body, size_t n,
    struct cli_http_res *res)
{
	rm_why why;

	for (int waited = 0;; waited += CLI_BUSY_STEP_MS) {
		memset(res, 0, sizeof(*res));
		if (cli_http_send(u->cf->http_listen, u->cf->http_token, "POST",
		    path, "text/csv; charset=utf-8", body, n, res, &why) !=
		    RM_OK)
			return cli_fail(u->c, "%s", why.msg);
		if (res->status != 503 || strstr(res->body, "\"EBUSY\"") ==
		    NULL || waited >= CLI_BUSY_MAX_MS)
			return CLI_EXIT_OK;
		cli_http_res_fini(res);
		nanosleep(&(struct timespec){ 0, CLI_BUSY_STEP_MS * 1000000L },
		    NULL);
	}
}

/* Print every bad row of a report; add its counts to u->sum. */
static void
report_rows(struct upload *u, json_t *j, bool count)
{
	json_t *bad = json_object_get(j, "bad"), *b;
	long long listed = (long long)json_array_size(bad);
	size_t i;

	json_array_foreach(bad, i, b)
		fprintf(stderr, "%s:%lld: %s: %s\n", u->file,
		    cli_jint(b, "line"), cli_jstr(b, "column"),
		    cli_jstr(b, "reason"));
	if (cli_jint(j, "problems") > listed)
		fprintf(stderr, "%s: %lld more problems not listed\n", u->file,
		    cli_jint(j, "problems") - listed);
	for (int k = 0; count && k < 7; k++)
		u->sum[k] += cli_jint(j, sum_keys[k]);
}

static void
bar(const struct upload *u, size_t done)
{
	int w = 40, fill = u->n_rows ? (int)(done * (size_t)w / u->n_rows) : w;

	if (!u->bar)
		return;
	fprintf(stderr, "\rimporting [%.*s%*s] %zu/%zu rows", fill,
	    "########################################", w - fill, "", done,
	    u->n_rows);
	if (done == u->n_rows)
		fputc('\n', stderr);
	fflush(stderr);
}

/* One request (the whole file with check, or a piece); prints what the
 * node says. 0 when it answered 200. */
static int
request(struct upload *u, size_t from, size_t to, bool check)
{
	char path[160];
	rm_buf body = RM_BUF_INIT;
	struct cli_http_res res;
	json_t *j = NULL;
	int rv;

	snprintf(path, sizeof(path), "/v1/risks/import?first_line=%zu%s%s",
	    from < u->n_rows ? u->line[from] : (size_t)2,
	    check ? "&check=1" : "", u->skip ? "&skip_errors=1" : "");
	if (rm_buf_append(&body, u->p, u->hdr_len) != RM_OK ||
	    (to > from && rm_buf_append(&body, u->p + u->start[from],
	    u->start[to] - u->start[from]) != RM_OK)) {
		rm_buf_fini(&body);
		return cli_fail(u->c, "out of memory");
	}
	rv = send_piece(u, path, body.data, body.len, &res);
	rm_buf_fini(&body);
	if (rv != 0)
		return rv;
	if ((res.status == 200 || res.status == 422) &&
	    (j = json_loads(res.body, 0, NULL)) != NULL &&
	    json_object_get(j, "rows") != NULL) {
		if (u->bar && res.status == 422)
			fputc('\n', stderr);
		/* a passing check's skipped rows are listed by the pieces */
		if (!(check && res.status == 200))
			report_rows(u, j, !check);
		rv = res.status == 200 ? CLI_EXIT_OK : cli_fail(u->c, "%s: %s",
		    u->file, cli_jstr(j, "reason"));
	} else
		rv = cli_api_report(u->c, &res);
	json_decref(j);
	cli_http_res_fini(&res);
	return rv;
}

int
cli_risk_upload(const struct cli_args *a)
{
	struct upload u;
	rm_buf file = RM_BUF_INIT;
	rm_why why;
	int rv;

	memset(&u, 0, sizeof(u));
	u.c = a->cmd;
	u.file = a->pos[0];
	u.skip = cli_has(a, "skip-errors");
	u.bar = isatty(STDERR_FILENO) != 0;
	if (cli_get(a, "config") == NULL)
		return cli_usage(u.c, "give --check (check offline) or -c "
		    "NODE.CONF (import into that node)");
	if ((u.cf = calloc(1, sizeof(*u.cf))) == NULL)
		return cli_fail(u.c, "out of memory");
	if (config_load(cli_get(a, "config"), u.cf, &why) != RM_OK) {
		rv = cli_fail(u.c, "%s", why.msg);
		goto out;
	}
	if (rm_file_read(u.file, CLI_UPLOAD_MAX, &file, &why) != RM_OK) {
		rv = cli_fail(u.c, "%s", why.msg);
		goto out;
	}
	u.p = file.data;
	u.len = file.len;
	if ((rv = split_rows(&u)) != 0)
		goto out;
	/* A file of several pieces is checked whole first: nothing of a
	 * file with a bad row is imported (unless --skip-errors). */
	if (u.n_rows > CLI_PIECE_ROWS && (rv = request(&u, 0, u.n_rows,
	    true)) != 0)
		goto out;
	bar(&u, 0);
	for (size_t from = 0; from < u.n_rows || from == 0;
	    from += CLI_PIECE_ROWS) {
		size_t to = from + CLI_PIECE_ROWS < u.n_rows ?
		    from + CLI_PIECE_ROWS : u.n_rows;

		if ((rv = request(&u, from, to, false)) != 0) {
			if (from > 0)
				fprintf(stderr, "%s: rows before line %zu were "
				    "imported\n", u.file, u.line[from]);
			goto out;
		}
		bar(&u, to);
		if (to == u.n_rows)
			break;
	}
	printf("%s: %lld rows: %lld created, %lld updated, %lld removed, %lld "
	    "unchanged, %lld skipped", u.file, u.sum[5], u.sum[0], u.sum[1],
	    u.sum[2], u.sum[3], u.sum[4]);
	if (u.sum[6] > 0)
		printf(", %lld of other agencies' registers left alone",
		    u.sum[6]);
	putchar('\n');
out:
	free(u.start);
	free(u.line);
	free(u.cf);
	rm_buf_fini(&file);
	return rv;
}
