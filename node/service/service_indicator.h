/*
 * service_indicator.h -- indicators and definitions: bulk ingest and value queries: a part of the domain API.
 *
 * Include "node/service/service.h", which includes this file after
 * struct node and the domain API it builds on; thread rules and error
 * conventions are those of service.h.
 */
#ifndef RM_NODE_SERVICE_SERVICE_INDICATOR_H
#define RM_NODE_SERVICE_SERVICE_INDICATOR_H

#include "node/service/service.h"

/* ---------------- indicators (node_indicator.c, node_ind_ingest.c,
 * node_ind_query.c) ----------------
 * Indicator definitions and series of the own agency (kinds
 * "indicator_def" and "indicator", schemas.h "the indicator kinds"),
 * issued through the same path as alerts (own-log guard,
 * roster_authorise: the agency's roster entry must list "indicator"
 * and cover the area, store_issue), and the single values every
 * node's store holds, read from the kinds' index keys ("code=C",
 * "at=C@AREA", "in=C@PREFIX"). Errors as service_alert_issue, and:
 *   RM_EEXIST      field "code": the own object with that oid is not an
 *                  indicator definition
 */

/*
 * Define indicator draft->code, or publish the next version of the own
 * agency's definition of it (a new target, name or threshold): draft
 * is an indicator_def record of the own agency (oid == code, ver = seq
 * = 0, the areas it applies to). Returns after the commit; *out on
 * success only. The caller owns draft. Thread-safe.
 */
int service_indicator_define(struct node *n, struct rm_record *draft,
    struct service_issued *out, rm_why *why);

/*
 * Every agency's indicator definitions in force: of code (NULL: every
 * code) whose areas overlap area (NULL: any), newest issued first, as
 * store_index_each / store_active give them. Errors: RM_EBADVALUE
 * (field "code" or "area": malformed), the store's and each's.
 */
int service_indicator_defs(struct node *n, const char *code,
    const char *area, rm_utc_ms now, store_each_fn each, void *arg,
    rm_why *why);

/* What bulk ingest did (service_indicator_ingest). */
struct service_ind_series {
	struct service_issued is;
	char code[RM_IND_CODE_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	char unit[RM_IND_UNIT_MAX + 1];
	enum rm_ind_source source;
	enum rm_ind_period period;
	size_t count;                /* values in the series */
	int64_t first, last;         /* times of its first and last point */
};
struct service_ind_ingest {
	size_t values;               /* values stored */
	size_t refused;              /* values refused (skip_bad) */
	size_t n_series;             /* series records issued */
	struct service_ind_series *series; /* heap (free()), n_series */
};

/*
 * Store values v[0..nv) of the own agency (bulk ingest): each value's
 * unit and source default to its code's definition (the newest in
 * force whose areas cover its area; RM_EMISSING field "unit" or
 * "source" if there is none), then the values are grouped by (code,
 * area, source, unit, period kind), sorted by time (a later value of
 * one time replaces an earlier one), cut into series of at most
 * RM_IND_POINTS_MAX points and RM_IND_POINTS_BYTES_MAX bytes, checked
 * (record_validate, roster_authorise) and issued one record (one
 * commit) per series. A refused value is reported to bad(arg, e) with
 * its line (e->line = v[i].line); unless skip_bad, any refusal stops
 * everything before anything is issued (returned with why). A failure
 * while issuing (store, own-log guard) stops there: *res says what was
 * issued before it. v is sorted in place. *res is always written
 * (series: free() it). Thread-safe; blocks for the commits.
 */
int service_indicator_ingest(struct node *n, struct rm_ind_value *v,
    size_t nv, bool skip_bad, rm_ind_row_err_fn bad, void *arg,
    struct service_ind_ingest *res, rm_why *why);

/* One value of a stored series, as queries and the rules engine see
 * it. Pointers borrow from the record (valid during the call). */
struct service_ind_obs {
	const char *code;
	const char *area;            /* the series' area */
	const char *unit;
	const char *origin;          /* the publishing agency */
	const rm_hash *series;       /* hash of the series record (NULL
	                                from service_indicator_points) */
	enum rm_ind_source source;
	enum rm_ind_period period;
	int64_t t;                   /* as struct rm_ind_point */
	rm_utc_ms time_ms;           /* indicator_time_ms(period, t) */
	struct rm_decimal value;     /* exact */
	double value_d;              /* decimal_to_double(value) */
};
typedef int (*service_ind_fn)(void *arg, const struct service_ind_obs *o);

/*
 * The observations (code, area, time, value) of one indicator record,
 * in time order: for the rules engine, which gets newly stored records
 * from node_subscribe (ev->rec) and needs no store read. Returns
 * RM_EINVAL if rec is not an indicator (or not decrypted), else RM_OK
 * or each's first non-zero value. Pure; any thread.
 */
int service_indicator_points(const struct rm_record *rec, service_ind_fn each,
    void *arg);

/* How a value query's area matches a series' area. */
enum service_ind_match {
	SERVICE_IND_OVERLAP = 0,     /* contains it or lies within it */
	SERVICE_IND_WITHIN,          /* lies within it (or is it) */
	SERVICE_IND_EXACT,           /* is it */
};

#define SERVICE_IND_LIMIT_DEFAULT 1000
#define SERVICE_IND_LIMIT_MAX     100000
#define SERVICE_IND_SCAN_MAX      2000000 /* values a query may gather */

struct service_ind_query {
	const char *code;            /* required */
	const char *area;            /* NULL: every area */
	enum service_ind_match match;
	rm_utc_ms from_ms, to_ms;    /* time_ms in [from, to]; 0: open */
	bool has_period;             /* only values of one period: points
	                                of that period kind at it, and
	                                instants within it */
	enum rm_ind_period period_kind;
	int64_t period;
	bool ascending;              /* by time; default newest first */
	bool latest;                 /* one value per area: its newest */
	size_t limit;                /* 0: SERVICE_IND_LIMIT_DEFAULT */
};

/*
 * Single values of every agency's series matching q, newest first (or
 * ascending), at most limit, via one index lookup (code and area) and
 * a decode of each series found. A value given again for one (origin,
 * area, source, time) by a newer series replaces the older one. Errors:
 * RM_EMISSING (field "code"), RM_EBADVALUE (fields "code", "area",
 * "limit"), RM_ETOOBIG (more than SERVICE_IND_SCAN_MAX values gathered:
 * narrow the query), the store's and each's. Thread-safe.
 */
int service_indicator_values(struct node *n, const struct service_ind_query *q,
    rm_utc_ms now, service_ind_fn each, void *arg, rm_why *why);

#endif /* RM_NODE_SERVICE_SERVICE_INDICATOR_H */
