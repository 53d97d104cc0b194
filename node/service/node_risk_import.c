/*
 * node_risk_import.c -- a whole risk register into the own agency's
 * register (service.h, "the risk register import").
 *
 * Pass 1 reads every row from the source and decides it: foreign
 * (another agency's row: counted, left alone), bad (each problem listed
 * with its line and column), create, update, remove or unchanged, under the rules of service_risk_issue (node_risk.c): the
 * draft's rules, the status rule against the latest version,
 * roster_authorise and the responsible unit; an id given twice is bad.
 * Only a small plan per row is kept (line, action, the version the
 * decision was based on), so a check of a large file holds no drafts.
 * Pass 2 (node_risk_batch.c; not for a check, nor for a file with bad
 * rows unless skip_errors) reads the rows again and issues those that
 * change something.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/service/service_int.h"

void
service_import_report_fini(struct service_import_report *rep)
{
	free(rep->bad);
	memset(rep, 0, sizeof(*rep));
}

int
service_import_report_bad(struct service_import_report *rep, size_t line,
    const char *column, const char *reason)
{
	struct service_import_bad *b;

	rep->n_bad_total++;
	if (rep->n_bad >= SERVICE_IMPORT_BAD_MAX)
		return RM_OK;
	if (rep->n_bad == rep->bad_cap) {
		size_t cap = rep->bad_cap ? rep->bad_cap * 2 : 16;

		if ((b = realloc(rep->bad, cap * sizeof(*b))) == NULL)
			return RM_ENOMEM;
		rep->bad = b;
		rep->bad_cap = cap;
	}
	b = &rep->bad[rep->n_bad++];
	b->line = line;
	snprintf(b->column, sizeof(b->column), "%s", column);
	snprintf(b->reason, sizeof(b->reason), "%s", reason);
	return RM_OK;
}

/* The draft field a refusal names: why->field, else a leading "name: "
 * or "name[i]: " of the message (roster_authorise's "areas[0]: ..."). */
static const char *
why_field(const rm_why *w, char *buf, size_t len)
{
	size_t k = strspn(w->msg, "abcdefghijklmnopqrstuvwxyz_.");

	if (w->field[0] != '\0')
		return w->field;
	if (k == 0 || k >= len || (w->msg[k] != ':' && w->msg[k] != '['))
		return "row";
	memcpy(buf, w->msg, k);
	buf[k] = '\0';
	return buf;
}

/* List w as the problem of row r. */
static int
row_bad(struct imp *x, struct imp_row *r, const rm_why *w)
{
	char fb[RM_WHY_FIELD_MAX];
	const char *field = why_field(w, fb, sizeof(fb)), *msg = w->msg;
	const char *col = x->src->column(x->src->arg, field);
	size_t k = strlen(field);

	r->action = IMP_BAD;
	/* the column is said once: "grade: red above ..." reported against
	 * the column grade reads "red above ..." */
	if (strncmp(msg, field, k) == 0 && strncmp(msg + k, ": ", 2) == 0)
		msg += k + 2;
	else if (strncmp(msg, col, strlen(col)) == 0 &&
	    strncmp(msg + strlen(col), ": ", 2) == 0)
		msg += strlen(col) + 2;
	return service_import_report_bad(x->rep, r->line, col, msg);
}

/* Would d change nothing of cur (same areas, expiry and body)? */
static bool
unchanged(struct imp *x, const struct rm_record *cur,
    const struct rm_record *d)
{
	if (cur->n_areas != d->n_areas || cur->expires_ms != d->expires_ms ||
	    memcmp(cur->areas, d->areas, d->n_areas * sizeof(d->areas[0])) != 0)
		return false;
	rm_buf_reset(&x->a);
	rm_buf_reset(&x->b);
	return rm_kind_risk.encode(cur->body, &x->a) == RM_OK &&
	    rm_kind_risk.encode(d->body, &x->b) == RM_OK &&
	    x->a.len == x->b.len && memcmp(x->a.data, x->b.data, x->a.len) == 0;
}

/* Pass 1 for one row read as draft d. Problems of the row are listed;
 * an error is returned only when the import cannot go on. */
static int
row_decide(struct imp *x, struct imp_row *r, struct rm_record *d)
{
	struct rm_record cur;
	const struct rm_risk *cr = NULL;
	rm_why w;
	int rv;

	memset(&cur, 0, sizeof(cur));
	if (strcmp(d->origin, x->n->cfg.agency) != 0) {
		/* another agency's row of an exported register */
		r->action = IMP_UNCHANGED;
		r->foreign = true;
		return RM_OK;
	}
	if (record_restricted(d))
		rv = rm_fail(&w, RM_EINVAL, "a risk is not restricted");
	else
		rv = node_issue_draft_valid(x->n, &rm_kind_risk, d, &w);
	if (rv != RM_OK)
		return row_bad(x, r, &w);
	rv = node_issue_latest(x->n, d->object_id, &r->exists, &r->base, &cur,
	    &w);
	if (rv == RM_EEXIST)
		return row_bad(x, r, &w);
	if (rv != RM_OK)
		return rm_fail(&w, rv, "%s", w.msg);
	if (r->exists)
		r->base_ver = cur.ver;
	if (r->exists && (cr = record_risk(&cur)) == NULL) {
		rm_fail_at(&w, RM_EEXIST, "object_id", "object %s is a %s, not a "
		    "risk", d->object_id, cur.kind->name);
		rv = row_bad(x, r, &w);
	} else if (r->exists && unchanged(x, &cur, d)) {
		r->action = IMP_UNCHANGED;
	} else if (risk_status_next(cr, record_risk(d), &w) != RM_OK ||
	    node_issue_authorise(x->n, d, &w) != RM_OK ||
	    node_risk_units_check(x->n, d, &w) != RM_OK) {
		rv = row_bad(x, r, &w);
	} else {
		r->action = !r->exists ? IMP_CREATE :
		    record_risk(d)->status == RM_RISK_REMOVED ? IMP_REMOVE :
		    IMP_UPDATE;
	}
	if (r->exists)
		record_fini(&cur);
	return rv;
}

static int
id_cmp(const void *p, const void *q)
{
	const struct imp_id *a = p, *b = q;
	int c = strcmp(a->id, b->id);

	return c != 0 ? c : (a->row > b->row) - (a->row < b->row);
}

/* Every later row of an id given twice is bad. */
static int
ids_twice(struct imp *x)
{
	char msg[RM_WHY_MAX];
	rm_why w;
	int rv;

	qsort(x->ids, x->n_ids, sizeof(*x->ids), id_cmp);
	for (size_t i = 1, first = 0; i < x->n_ids; i++) {
		struct imp_row *r = &x->rows[x->ids[i].row];

		if (strcmp(x->ids[i].id, x->ids[first].id) != 0) {
			first = i;
			continue;
		}
		snprintf(msg, sizeof(msg), "%.140s listed twice (first on line "
		    "%zu)", x->ids[i].id, x->rows[x->ids[first].row].line);
		rm_fail_at(&w, RM_EEXIST, "object_id", "%s", msg);
		if (r->action != IMP_BAD && (rv = row_bad(x, r, &w)) != RM_OK)
			return rv;
		r->action = IMP_BAD;
	}
	return RM_OK;
}

/* Problems in line order (stable: the order found within a line). */
static int
bad_sort_cmp(const void *p, const void *q)
{
	const struct service_import_bad *const *a = p, *const *b = q;

	if ((*a)->line != (*b)->line)
		return (*a)->line < (*b)->line ? -1 : 1;
	return (*a < *b) ? -1 : (*a > *b);
}

static int
bad_sort(struct service_import_report *rep)
{
	const struct service_import_bad **ix;
	struct service_import_bad *out;

	if (rep->n_bad < 2)
		return RM_OK;
	ix = malloc(rep->n_bad * sizeof(*ix));
	out = malloc(rep->n_bad * sizeof(*out));
	if (ix == NULL || out == NULL) {
		free(ix);
		free(out);
		return RM_ENOMEM;
	}
	for (size_t i = 0; i < rep->n_bad; i++)
		ix[i] = &rep->bad[i];
	qsort(ix, rep->n_bad, sizeof(*ix), bad_sort_cmp);
	for (size_t i = 0; i < rep->n_bad; i++)
		out[i] = *ix[i];
	free(ix);
	free(rep->bad);
	rep->bad = out;
	rep->bad_cap = rep->n_bad;
	return RM_OK;
}

/* Pass 1: read and decide every row. */
static int
pass_check(struct imp *x, rm_why *why)
{
	struct rm_record *d;
	size_t line;
	int rv;

	if ((rv = x->src->rewind(x->src->arg, why)) != RM_OK)
		return rv;
	for (;;) {
		struct imp_row *r;

		rv = x->src->next(x->src->arg, x->rep, &d, &line, why);
		if (rv == RM_ENOTFOUND)
			break;
		if (rv != RM_OK && rv != RM_EBADVALUE)
			return rv;
		if (x->n_rows == SERVICE_IMPORT_ROWS_MAX)
			return rm_fail(why, RM_ETOOBIG, "more than %d rows",
			    SERVICE_IMPORT_ROWS_MAX);
		if (x->n_rows == x->cap_rows) {
			size_t cap = x->cap_rows ? x->cap_rows * 2 : 1024;
			struct imp_row *nr = realloc(x->rows, cap * sizeof(*nr));
			struct imp_id *ni = realloc(x->ids, cap * sizeof(*ni));

			if (nr != NULL)
				x->rows = nr;
			if (ni != NULL)
				x->ids = ni;
			if (nr == NULL || ni == NULL)
				return rm_fail(why, RM_ENOMEM, "out of memory");
			x->cap_rows = cap;
		}
		r = &x->rows[x->n_rows++];
		memset(r, 0, sizeof(*r));
		r->line = line;
		x->rep->rows++;
		if (rv == RM_EBADVALUE)
			continue;        /* the source listed its problems */
		if ((rv = row_decide(x, r, d)) != RM_OK)
			return rm_fail(why, rv, "line %zu: %s", line,
			    rv == RM_ENOMEM ? "out of memory" : "cannot read "
			    "the store");
		if (r->foreign)
			continue;
		if ((x->ids[x->n_ids].id = strdup(d->object_id)) == NULL)
			return rm_fail(why, RM_ENOMEM, "out of memory");
		x->ids[x->n_ids++].row = x->n_rows - 1;
	}
	if ((rv = ids_twice(x)) != RM_OK || (rv = bad_sort(x->rep)) != RM_OK)
		return rm_fail(why, rv, "out of memory");
	for (size_t i = 0; i < x->n_rows; i++)
		x->rep->bad_rows += x->rows[i].action == IMP_BAD;
	return RM_OK;
}

int
service_risk_import(struct node *n, const struct service_import_src *src,
    const struct service_import_opts *o, struct service_import_report *rep,
    rm_why *why)
{
	struct imp x;
	int rv;

	memset(&x, 0, sizeof(x));
	x.n = n;
	x.src = src;
	x.rep = rep;
	if ((rv = pass_check(&x, why)) != RM_OK)
		goto out;
	for (size_t i = 0; i < x.n_rows; i++) {
		rep->foreign += x.rows[i].foreign;
		rep->unchanged += x.rows[i].action == IMP_UNCHANGED &&
		    !x.rows[i].foreign;
	}
	if (rep->bad_rows > 0 && !o->skip_errors) {
		rv = rm_fail(why, RM_EBADVALUE, "%zu of %zu rows are bad: "
		    "nothing %s (skip_errors, riskmesh risk import "
		    "--skip-errors, imports the good rows)", rep->bad_rows,
		    rep->rows, o->check ? "would be imported" :
		    "was imported");
		goto out;
	}
	rep->skipped = rep->bad_rows;
	if (o->check) {
		for (size_t i = 0; i < x.n_rows; i++) {
			rep->created += x.rows[i].action == IMP_CREATE;
			rep->updated += x.rows[i].action == IMP_UPDATE;
			rep->removed += x.rows[i].action == IMP_REMOVE;
		}
		goto out;
	}
	rv = node_import_issue(&x, why);
out:
	for (size_t i = 0; i < x.n_ids; i++)
		free(x.ids[i].id);
	free(x.ids);
	free(x.rows);
	rm_buf_fini(&x.a);
	rm_buf_fini(&x.b);
	return rv;
}
