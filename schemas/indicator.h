/*
 * indicator.h -- monitoring and city health check indicators: kinds "indicator_def", "indicator".
 *
 * Part of the schemas module's public interface: include
 * "schemas/schemas.h", which includes this file after the record model
 * and the kind registry it builds on. Thread rules and conventions are
 * those of schemas.h.
 */
#ifndef RM_SCHEMAS_INDICATOR_H
#define RM_SCHEMAS_INDICATOR_H

#include "schemas/schemas.h"

/* ---------------- the indicator kinds ---------------- */

/*
 * Kinds "indicator_def" and "indicator" (schemas/indicator_def.cddl,
 * schemas/indicator.cddl; schemas/indicator_def_kind.c,
 * indicator_kind.c, indicator_val.c): the monitoring and city health
 * check (城市体检) indicators.
 *
 * An indicator definition is published by the agency that owns the
 * indicator: its oid is the code, its areas the scope it applies to.
 * An indicator record is a series: one source's values of one code in
 * the record's single area, in one unit, at 1..RM_IND_POINTS_MAX
 * points in strictly ascending time. Either kind is published by
 * whoever the roster lets publish "indicator" (roster_kind).
 *
 * Values are exact decimals (struct rm_decimal): no floats in CBOR. On
 * the wire a value with exponent 0 is a CBOR integer, any other a
 * decimal fraction (RFC 8949 §3.4.4, tag 4 [exponent, mantissa]) in
 * canonical form: exponent -18..-1 and a mantissa that is not a
 * multiple of 10, so that "12.5" and "12.50" are one value, shown
 * "12.5".
 *
 * Times: a series has one period kind. An instant is a time in ms
 * (rm_utc_ms); a period is an ordinal: a year Y, a quarter Y*4+q-1, a
 * month Y*12+m-1, a day the days since 1970-01-01. Periods are the
 * calendar periods of China Standard Time (UTC+08:00); their labels
 * are "2025", "2025-Q3", "2025-07", "2025-07-31" (years 1900..9999).
 */
#define RM_IND_CODE_MAX        48    /* [a-z0-9_.], first a-z or 0-9 */
#define RM_IND_NAME_MAX        256   /* bytes of UTF-8 */
#define RM_IND_UNIT_MAX        32    /* bytes of UTF-8 ("mm", "m²/人") */
#define RM_IND_POINTS_MAX      4096  /* points of one series */
#define RM_IND_POINTS_BYTES_MAX (44 * 1024) /* encoded points of one
                                        series (RM_RECORD_BODY_MAX less
                                        the header and fields) */
#define RM_DECIMAL_DIGITS_MAX  18    /* significant digits */
#define RM_DECIMAL_EXP_MIN     (-18) /* at most 18 decimals */
#define RM_DECIMAL_TEXT_MAX    48    /* decimal_format output with NUL */
#define RM_IND_TIME_TEXT_MAX   32    /* indicator_time_format, NUL incl. */
#define RM_CST_OFFSET_MS       (8LL * 3600 * 1000) /* UTC+08:00 */

/* An exact decimal: m x 10^e, canonical: e in RM_DECIMAL_EXP_MIN..0,
 * |m| < 10^18, m not a multiple of 10 when e < 0, e == 0 when m == 0. */
struct rm_decimal {
	int64_t m;
	int32_t e;
};

enum rm_ind_direction { RM_IND_HIGHER_WORSE = 1, RM_IND_LOWER_WORSE };
enum rm_ind_source {
	RM_IND_STATISTICS = 1, RM_IND_SURVEY, RM_IND_SENSOR, RM_IND_BIG_DATA,
};
enum rm_ind_period {
	RM_IND_INSTANT = 1, RM_IND_DAY, RM_IND_MONTH, RM_IND_QUARTER,
	RM_IND_YEAR,
};

struct rm_indicator_def {
	char code[RM_IND_CODE_MAX + 1];     /* ["code"] == the record's oid */
	char *name_zh;                      /* ["name_zh"] heap, optional */
	char *name_en;                      /* ["name_en"] heap, optional;
	                                       at least one of the two */
	char unit[RM_IND_UNIT_MAX + 1];     /* ["unit"] */
	enum rm_ind_direction direction;    /* ["direction"] */
	struct rm_decimal target;           /* ["target"] */
	bool has_warning;                   /* ["warning"] optional: the
	                                       warning threshold, on the
	                                       worse side of target (or
	                                       equal) */
	struct rm_decimal warning;
	enum rm_ind_source source;          /* ["source"] */
	enum rm_ind_period period;          /* ["period"] */
};

/* One value of a series: t as the series' period kind says. */
struct rm_ind_point {
	int64_t t;
	struct rm_decimal v;
};

struct rm_indicator {
	char code[RM_IND_CODE_MAX + 1];     /* ["code"] */
	char unit[RM_IND_UNIT_MAX + 1];     /* ["unit"] */
	enum rm_ind_source source;          /* ["source"] */
	enum rm_ind_period period;          /* ["period"] */
	size_t n_points;                    /* ["points"] 1..RM_IND_POINTS_MAX,
	                                       t strictly ascending; on the
	                                       wire ["t0"] = points[0].t and
	                                       each point [t - t0, value] */
	struct rm_ind_point *points;        /* heap when decoded */
};

/* The bodies, or NULL if rec is not of that kind (or not decrypted). */
struct rm_indicator_def *record_indicator_def(const struct rm_record *rec);
struct rm_indicator *record_indicator(const struct rm_record *rec);

/* True iff s (n bytes) is an indicator code: 1..RM_IND_CODE_MAX of
 * [a-z0-9_.], starting with [a-z0-9], no "..", not ending with '.'. */
bool indicator_code_valid(const char *s, size_t n);
#define RM_IND_CODE_RULE "1-48 of a-z, 0-9, '_', '.', starting with a " \
	"letter or digit"

/* Names on the wire, in the APIs and CSV ("higher_worse", "big_data",
 * "quarter"): static strings, NULL outside the enum. Parsers match
 * exactly; RM_EBADVALUE otherwise; *out written on success only. */
const char *indicator_direction_name(enum rm_ind_direction d);
int indicator_direction_parse(const char *s, enum rm_ind_direction *out);
const char *indicator_source_name(enum rm_ind_source s);
int indicator_source_parse(const char *s, enum rm_ind_source *out);
const char *indicator_period_name(enum rm_ind_period p);
int indicator_period_parse(const char *s, enum rm_ind_period *out);

/*
 * Decimal text: [+-]digits[.digits][(e|E)[+-]digits] ("12.5", "-3",
 * "1.5E3", "0.000125"), s[0..n). Exact: RM_EBADVALUE for anything
 * else, for more than RM_DECIMAL_DIGITS_MAX significant digits or a
 * value that needs more than 18 decimals; *out (canonical) on success.
 */
int decimal_parse(const char *s, size_t n, struct rm_decimal *out);
/* Plain decimal text of d ("12.5", "-0.05", "100"): no exponent,
 * no trailing zeros. out holds RM_DECIMAL_TEXT_MAX bytes. */
void decimal_format(struct rm_decimal d, char out[RM_DECIMAL_TEXT_MAX]);
/* True iff d is canonical (see struct rm_decimal). */
bool decimal_valid(struct rm_decimal d);
/* The nearest double (as strtod of decimal_format's text). */
double decimal_to_double(struct rm_decimal d);
/* -1, 0, 1 as a < b, a == b, a > b (exact). */
int decimal_cmp(struct rm_decimal a, struct rm_decimal b);
/* a - b exactly into *out (canonical). RM_ETOOBIG if it needs more
 * than 18 digits or decimals; *out untouched then. */
int decimal_sub(struct rm_decimal a, struct rm_decimal b,
    struct rm_decimal *out);

/*
 * A time text as an indicator time: a period label ("2025", "2025-Q3",
 * "2025-07", "2025-07-31") or an RFC 3339 time with offset (instant).
 * *kind and *t on success; RM_EBADVALUE otherwise.
 */
int indicator_time_parse(const char *s, enum rm_ind_period *kind,
    int64_t *t);
/* The label of period t of kind k, or the RFC 3339 UTC time of an
 * instant ("2026-07-01T00:00:00.000Z"). "?" for a kind out of range. */
void indicator_time_format(enum rm_ind_period k, int64_t t,
    char out[RM_IND_TIME_TEXT_MAX]);
/* When t of kind k starts, in UTC ms (an instant: t itself; a period:
 * its first instant in UTC+08:00). */
rm_utc_ms indicator_time_ms(enum rm_ind_period k, int64_t t);
/* The period of kind k (not instant) holding instant ms. */
int64_t indicator_period_of(enum rm_ind_period k, rm_utc_ms ms);
/* Bytes point p takes in a series starting at t0 (its [t - t0, value]
 * array), for splitting values into series within
 * RM_IND_POINTS_BYTES_MAX. p->t >= t0, p->v canonical. */
size_t indicator_point_size(const struct rm_ind_point *p, int64_t t0);

/*
 * Bulk input of indicator values (schemas/indicator_csv.c): one value
 * as a CSV row or an NDJSON line gives it, before it is grouped into
 * series. unit "" and source 0 mean "the indicator definition's".
 */
struct rm_ind_value {
	char code[RM_IND_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_source source;
	enum rm_ind_period period;          /* from the time's form */
	int64_t t;                          /* as struct rm_ind_point */
	struct rm_decimal v;
	size_t line;                        /* 1-based input line */
};

/* A refused input row: line and 1-based column (0: the whole row),
 * the column's name ("" for none), the rm_err and why. */
struct rm_ind_row_err {
	size_t line;
	size_t column;
	char field[16];
	int err;
	char reason[RM_WHY_MAX];
};
typedef void (*rm_ind_row_err_fn)(void *arg, const struct rm_ind_row_err *e);

/*
 * The rules of one value's fields, given as text (NULL or "" for the
 * optional unit and source), into *out (line set by the caller). On a
 * refusal returns the rm_err with e->column (1-based index in the
 * order code, area, time, value, unit, source), e->field and
 * e->reason set: RM_EBADVALUE (bad code, area code, time, number,
 * source), RM_ETOOBIG (a unit over RM_IND_UNIT_MAX), RM_EMISSING.
 */
int indicator_value_parse(const char *code, const char *area,
    const char *time, const char *value, const char *unit,
    const char *source, struct rm_ind_value *out, struct rm_ind_row_err *e);

/*
 * Read CSV text p[0..n) (RFC 4180, UTF-8 with or without BOM, CRLF or
 * LF) whose header names the columns code, area, time, value and,
 * optionally, unit and source, in any order. Every good row is
 * appended to *vals (heap, *nvals of them; free() it, also on error);
 * each refused row (bad field, wrong column count) is handed to
 * bad(arg, e) and counted in *nbad, and reading goes on. Returns RM_OK
 * after the last row, or stops with the error after reporting it to
 * bad(): a missing or wrong header (RM_EBADVALUE, RM_EMISSING, line
 * 1), text that is not CSV or not UTF-8 (rm_csv_next's errors at the
 * line), RM_ETOOBIG (more than max values), RM_ENOMEM.
 */
int indicator_csv_read(const char *p, size_t n, size_t max,
    struct rm_ind_value **vals, size_t *nvals, rm_ind_row_err_fn bad,
    void *arg, size_t *nbad);

/* The built-in kinds "indicator_def" and "indicator". */
extern const struct rm_kind_ops rm_kind_indicator_def;
extern const struct rm_kind_ops rm_kind_indicator;

#endif /* RM_SCHEMAS_INDICATOR_H */
