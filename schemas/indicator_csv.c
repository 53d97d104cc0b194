/*
 * indicator_csv.c -- bulk indicator values as text (schemas.h, "the
 * indicator kinds"): the rules of one value's fields, shared by every
 * front end (CSV here, NDJSON in node/http), and the CSV reader of
 * POST /v1/indicators and `riskmesh indicator ingest`.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schemas/schemas.h"

enum col { COL_CODE, COL_AREA, COL_TIME, COL_VALUE, COL_UNIT, COL_SOURCE,
	COL_N };
static const char *const col_names[COL_N] = { "code", "area", "time",
	"value", "unit", "source" };

static int
refuse(struct rm_ind_row_err *e, int err, enum col c, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
refuse(struct rm_ind_row_err *e, int err, enum col c, const char *fmt, ...)
{
	va_list ap;

	e->err = err;
	e->column = (size_t)c + 1;
	snprintf(e->field, sizeof(e->field), "%s", col_names[c]);
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return err;
}

int
indicator_value_parse(const char *code, const char *area, const char *time,
    const char *value, const char *unit, const char *source,
    struct rm_ind_value *out, struct rm_ind_row_err *e)
{
	size_t n;

	memset(out, 0, sizeof(*out));
	if (code == NULL || code[0] == '\0')
		return refuse(e, RM_EMISSING, COL_CODE, "required");
	if (!indicator_code_valid(code, strlen(code)))
		return refuse(e, RM_EBADVALUE, COL_CODE, "\"%.60s\" is not an "
		    "indicator code (%s)", code, RM_IND_CODE_RULE);
	if (area == NULL || area[0] == '\0')
		return refuse(e, RM_EMISSING, COL_AREA, "required");
	if (strlen(area) > RM_AREA_CODE_MAX || !area_code_valid(area))
		return refuse(e, RM_EBADVALUE, COL_AREA, "\"%.40s\" is not a "
		    "GB/T 2260 area code (6, 9 or 12 digits)", area);
	if (time == NULL || time[0] == '\0')
		return refuse(e, RM_EMISSING, COL_TIME, "required");
	if (indicator_time_parse(time, &out->period, &out->t) != RM_OK)
		return refuse(e, RM_EBADVALUE, COL_TIME, "\"%.40s\" is neither "
		    "a period (2025, 2025-Q3, 2025-07, 2025-07-31) nor an RFC "
		    "3339 time with offset", time);
	if (value == NULL || value[0] == '\0')
		return refuse(e, RM_EMISSING, COL_VALUE, "required");
	if (decimal_parse(value, strlen(value), &out->v) != RM_OK)
		return refuse(e, RM_EBADVALUE, COL_VALUE, "\"%.40s\" is not a "
		    "decimal number of at most %d digits and %d decimals",
		    value, RM_DECIMAL_DIGITS_MAX, -RM_DECIMAL_EXP_MIN);
	n = unit != NULL ? strlen(unit) : 0;
	if (n > RM_IND_UNIT_MAX)
		return refuse(e, RM_ETOOBIG, COL_UNIT, "%zu bytes, limit %d", n,
		    RM_IND_UNIT_MAX);
	if (n > 0 && !rm_utf8_valid(unit, n))
		return refuse(e, RM_EBADVALUE, COL_UNIT, "not UTF-8");
	if (source != NULL && source[0] != '\0' &&
	    indicator_source_parse(source, &out->source) != RM_OK)
		return refuse(e, RM_EBADVALUE, COL_SOURCE, "\"%.40s\" is not "
		    "statistics, survey, sensor or big_data", source);
	memcpy(out->code, code, strlen(code) + 1);
	memcpy(out->area, area, strlen(area) + 1);
	if (n > 0)
		memcpy(out->unit, unit, n + 1);
	return RM_OK;
}

/* The header: which column each field is in (-1: absent). */
static int
read_header(const char **f, size_t nf, int pos[COL_N],
    struct rm_ind_row_err *e)
{
	for (int c = 0; c < COL_N; c++)
		pos[c] = -1;
	for (size_t i = 0; i < nf; i++) {
		int c = 0;

		while (c < COL_N && strcmp(f[i], col_names[c]) != 0)
			c++;
		e->column = i + 1;
		if (c == COL_N) {
			e->err = RM_EBADVALUE;
			snprintf(e->reason, sizeof(e->reason), "unknown column "
			    "\"%.40s\" (code, area, time, value, unit, source)",
			    f[i]);
			return e->err;
		}
		if (pos[c] >= 0) {
			e->err = RM_EBADVALUE;
			snprintf(e->reason, sizeof(e->reason), "column \"%s\" "
			    "named twice", col_names[c]);
			return e->err;
		}
		pos[c] = (int)i;
	}
	for (int c = 0; c <= COL_VALUE; c++)
		if (pos[c] < 0) {
			e->err = RM_EMISSING;
			e->column = 0;
			snprintf(e->reason, sizeof(e->reason), "the header needs "
			    "the columns code, area, time and value (missing "
			    "%s)", col_names[c]);
			return e->err;
		}
	return RM_OK;
}

static int
push(struct rm_ind_value **vals, size_t *n, size_t *cap,
    const struct rm_ind_value *v)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		struct rm_ind_value *p = realloc(*vals, nc * sizeof(*p));

		if (p == NULL)
			return RM_ENOMEM;
		*vals = p;
		*cap = nc;
	}
	(*vals)[(*n)++] = *v;
	return RM_OK;
}

#define FIELD(c) (pos[c] >= 0 ? f[pos[c]] : NULL)

int
indicator_csv_read(const char *p, size_t n, size_t max,
    struct rm_ind_value **vals, size_t *nvals, rm_ind_row_err_fn bad,
    void *arg, size_t *nbad)
{
	const char *f[RM_CSV_FIELDS_MAX];
	struct rm_ind_row_err e;
	struct rm_ind_value v;
	rm_buf scratch = RM_BUF_INIT;
	size_t nf, line, cap = 0, hdr_n = 0;
	int pos[COL_N], rv;
	rm_csv c;
	rm_why why;

	*vals = NULL;
	*nvals = *nbad = 0;
	rm_csv_init(&c, p, n);
	for (bool header = true;; header = false) {
		memset(&e, 0, sizeof(e));
		rv = rm_csv_next(&c, &scratch, f, RM_CSV_FIELDS_MAX, &nf, &line,
		    &why);
		if (rv == RM_ENOTFOUND && !header) {
			rv = RM_OK;
			break;
		}
		if (rv != RM_OK) {
			e.line = rv == RM_ENOTFOUND ? 1 : c.line;
			e.err = rv == RM_ENOTFOUND ? RM_EMISSING : rv;
			snprintf(e.reason, sizeof(e.reason), "%s",
			    rv == RM_ENOTFOUND ? "no header row (code, area, "
			    "time, value[, unit, source])" : why.msg);
			rv = e.err;
			goto stop;
		}
		e.line = line;
		if (header) {
			hdr_n = nf;
			if ((rv = read_header(f, nf, pos, &e)) != RM_OK)
				goto stop;
			continue;
		}
		if (nf != hdr_n) {
			e.err = RM_EBADVALUE;
			snprintf(e.reason, sizeof(e.reason), "%zu columns, the "
			    "header has %zu", nf, hdr_n);
		} else if (indicator_value_parse(FIELD(COL_CODE),
		    FIELD(COL_AREA), FIELD(COL_TIME), FIELD(COL_VALUE),
		    FIELD(COL_UNIT), FIELD(COL_SOURCE), &v, &e) == RM_OK) {
			v.line = line;
			if (*nvals >= max) {
				e.err = RM_ETOOBIG;
				snprintf(e.reason, sizeof(e.reason), "more than "
				    "%zu values in one input", max);
				rv = e.err;
				goto stop;
			}
			if ((rv = push(vals, nvals, &cap, &v)) != RM_OK) {
				e.err = rv;
				snprintf(e.reason, sizeof(e.reason), "out of "
				    "memory");
				goto stop;
			}
			continue;
		} else
			e.column = (size_t)pos[e.column - 1] + 1;
		(*nbad)++;
		bad(arg, &e);
	}
	rm_buf_fini(&scratch);
	return rv;
stop:
	(*nbad)++;
	bad(arg, &e);
	rm_buf_fini(&scratch);
	return rv;
}
