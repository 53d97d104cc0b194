/*
 * http_risk_import.c -- POST /v1/risks/import (docs/API.md "Import a
 * risk register"): the body is the register in its spreadsheet form
 * (Content-Type text/csv, UTF-8 with or without BOM, CRLF or LF,
 * quoted fields; at most NODE_IMPORT_BODY_MAX bytes, checked by
 * http_srv.c), read through node/repr's column table and handed to
 * service_risk_import as a row source. Query: skip_errors=1 (import
 * the good rows, list the bad ones), check=1 (check against this
 * node's roster and store, import nothing), first_line=N (the line of
 * the first data row in the file this body was cut from, so that a
 * client sending a large file in pieces gets the file's own line
 * numbers back). Answers 200 with the report, 422 with the same report
 * (every bad row: line, column, reason) when refusing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/http/http_int.h"

/* The CSV body as a service_import_src. */
struct csv_src {
	const char *body;
	size_t len;
	const char *agency;          /* the node's own agency */
	long long line_offset;       /* added to every line (first_line) */
	long long first_line;        /* 0: not given */
	bool have_offset;
	rm_csv rd;
	rm_buf scratch;
	struct repr_risk_csv_map map;
	struct repr_risk_row row;
	struct service_import_report *rep;
	size_t line;                 /* of the row being read */
};

static int
src_rewind(void *arg, rm_why *why)
{
	struct csv_src *s = arg;
	const char *f[RM_CSV_FIELDS_MAX];
	size_t nf, line;
	int rv;

	rm_csv_init(&s->rd, s->body, s->len);
	rv = rm_csv_next(&s->rd, &s->scratch, f, RM_CSV_FIELDS_MAX, &nf, &line,
	    why);
	if (rv == RM_ENOTFOUND)
		return rm_fail_at(why, RM_EMISSING, "header", "an empty file: "
		    "the first row names the columns");
	if (rv != RM_OK)
		return rv;
	if ((rv = repr_risk_csv_header(f, nf, &s->map, why)) != RM_OK) {
		char msg[RM_WHY_MAX];

		/* why->msg is copied first: it cannot be both source and
		 * destination of the new message */
		snprintf(msg, sizeof(msg), "%s", why->msg);
		return rm_fail_at(why, rv, "header", "line %zu: %s", line, msg);
	}
	return RM_OK;
}

/* repr_risk_report_fn: a cell's problem, on the row being read. */
static void
src_report(void *arg, const char *column, const char *msg)
{
	struct csv_src *s = arg;

	(void)service_import_report_bad(s->rep, s->line, column, msg);
}

static int
src_next(void *arg, struct service_import_report *rep,
    struct rm_record **draft, size_t *line, rm_why *why)
{
	struct csv_src *s = arg;
	const char *f[RM_CSV_FIELDS_MAX];
	size_t nf, l;
	int rv;

	rv = rm_csv_next(&s->rd, &s->scratch, f, RM_CSV_FIELDS_MAX, &nf, &l,
	    why);
	if (rv == RM_ENOTFOUND || rv == RM_ENOMEM)
		return rv;
	if (rv != RM_OK) {
		/* the reader cannot go on: the file is refused here */
		char msg[RM_WHY_MAX];
		const char *m = why->msg;

		*line = (size_t)((long long)s->rd.line + s->line_offset);
		/* the reader's "line N: " is the row's line, said once */
		if (strncmp(m, "line ", 5) == 0 && strstr(m, ": ") != NULL)
			m = strstr(m, ": ") + 2;
		snprintf(msg, sizeof(msg), "%s", m);
		(void)service_import_report_bad(rep, *line, "row", msg);
		return rm_fail(why, RM_EMALFORMED, "line %zu: %s", *line, msg);
	}
	if (!s->have_offset) {
		s->line_offset = s->first_line > 0 ?
		    s->first_line - (long long)l : 0;
		s->have_offset = true;
	}
	s->line = (size_t)((long long)l + s->line_offset);
	s->rep = rep;
	*line = s->line;
	if (repr_risk_csv_row(&s->map, f, nf, rm_utc_now_ms(), &s->row,
	    src_report, s) != RM_OK)
		return RM_EBADVALUE;
	/* the register the row was exported from, else the node's own */
	snprintf(s->row.rec.origin, sizeof(s->row.rec.origin), "%s",
	    s->row.origin[0] != '\0' ? s->row.origin : s->agency);
	s->row.rec.ver = 0;
	s->row.rec.seq = 0;
	*draft = &s->row.rec;
	return RM_OK;
}

static const char *
src_column(void *arg, const char *field)
{
	(void)arg;
	return repr_risk_csv_field_column(field);
}

/* A flag parameter: "1"/"true" or "0"/"false". */
static int
flag_param(struct http_call_ctx *c, const char *name, const char *val,
    bool *out)
{
	if (strcmp(val, "1") == 0 || strcmp(val, "true") == 0)
		*out = true;
	else if (strcmp(val, "0") == 0 || strcmp(val, "false") == 0)
		*out = false;
	else
		return http_refuse(c, 422, RM_EBADVALUE, name, "\"%.20s\" is "
		    "not 1 or 0", val);
	return RM_OK;
}

static int
import_params(struct http_call_ctx *c, struct service_import_opts *o,
    long long *first_line)
{
	const struct http_query *q = c->q;
	int rv = RM_OK;

	for (size_t i = 0; i < q->n && rv == RM_OK; i++) {
		const char *name = q->p[i].name, *val = q->p[i].val;

		if (strcmp(name, "first_line") == 0) {
			char *end;

			errno = 0;
			*first_line = strtoll(val, &end, 10);
			if (val[0] < '1' || val[0] > '9' || *end != '\0' ||
			    errno != 0 || *first_line > 100000000)
				rv = http_refuse(c, 422, RM_EBADVALUE, name,
				    "\"%.20s\" is not a line number", val);
		} else
			rv = flag_param(c, name, val, strcmp(name, "check") ==
			    0 ? &o->check : &o->skip_errors);
	}
	return rv;
}

/* The report as JSON: counts and every listed problem. */
static json_t *
report_json(const struct service_import_report *rep, bool check)
{
	json_t *bad = json_array(), *o;

	if (bad == NULL)
		return NULL;
	for (size_t i = 0; i < rep->n_bad; i++)
		json_array_append_new(bad, json_pack("{s:I,s:s,s:s}", "line",
		    (json_int_t)rep->bad[i].line, "column", rep->bad[i].column,
		    "reason", rep->bad[i].reason));
	o = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:o}",
	    "check", check, "rows", (json_int_t)rep->rows, "created",
	    (json_int_t)rep->created, "updated", (json_int_t)rep->updated,
	    "removed", (json_int_t)rep->removed, "unchanged",
	    (json_int_t)rep->unchanged, "foreign", (json_int_t)rep->foreign,
	    "skipped", (json_int_t)rep->skipped,
	    "bad_rows", (json_int_t)rep->bad_rows, "problems",
	    (json_int_t)rep->n_bad_total, "bad", bad);
	return o;
}

/* POST /v1/risks/import */
int
http_post_risk_import(struct http_call_ctx *c)
{
	struct service_import_opts o = { false, false };
	struct service_import_report rep;
	struct service_import_src src;
	struct csv_src cs;
	json_t *body;
	int rv;

	memset(&cs, 0, sizeof(cs));
	memset(&rep, 0, sizeof(rep));
	if ((rv = import_params(c, &o, &cs.first_line)) != RM_OK)
		return rv;
	cs.body = c->req->body != NULL ? c->req->body : "";
	cs.len = c->req->body_len;
	cs.agency = c->n->cfg.agency;
	src.arg = &cs;
	src.rewind = src_rewind;
	src.next = src_next;
	src.column = src_column;
	rv = service_risk_import(c->n, &src, &o, &rep, &c->why);
	rm_buf_fini(&cs.scratch);
	if (rv != RM_OK && rv != RM_EBADVALUE && (rv != RM_EMALFORMED ||
	    rep.n_bad == 0)) {
		/* a header without a required column, or naming one twice:
		 * the file's content, not the request's form */
		if (strcmp(c->why.field, "header") == 0)
			c->status = 422;
		service_import_report_fini(&rep);
		return rv;
	}
	if ((body = report_json(&rep, o.check)) == NULL) {
		service_import_report_fini(&rep);
		return http_refuse(c, 500, RM_ENOMEM, "", "out of memory");
	}
	if (rv != RM_OK) {
		atomic_fetch_add(&c->n->ctr.http_refused[rv], 1);
		json_object_set_new(body, "error", json_string(rm_errname(rv)));
		json_object_set_new(body, "field", json_string(""));
		json_object_set_new(body, "reason", json_string(c->why.msg));
	}
	http_res_json(c->res, rv == RM_OK ? 200 : 422, body);
	service_import_report_fini(&rep);
	return RM_OK;
}
