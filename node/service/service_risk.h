/*
 * service_risk.h -- the risk register: items, views (lists, summary, diff) and the import: a part of the domain API.
 *
 * Include "node/service/service.h", which includes this file after
 * struct node and the domain API it builds on; thread rules and error
 * conventions are those of service.h.
 */
#ifndef RM_NODE_SERVICE_SERVICE_RISK_H
#define RM_NODE_SERVICE_SERVICE_RISK_H

#include "node/service/service.h"

/* ---------------- the risk register (node_risk.c) ----------------
 * Items of the own agency's risk register (kind "risk", schemas.h "the
 * risk kind"), issued through the same path as alerts: the kind's
 * status rule (risk_status_next), the own-log guard, roster_authorise
 * (the agency's roster entry must list kind "risk", the risk's area
 * must be within its areas and its grade at most its max_grade) and
 * store_issue with optimistic concurrency. Errors as
 * service_alert_issue, and:
 *   RM_EEXIST      field "object_id": a new risk whose id exists, or an
 *                  object that is not a risk; field "status": the risk
 *                  was removed (removed is final)
 *   RM_ENOTFOUND   field "object_id": no such risk of the agency
 *   RM_EBUSY       field "object_id": the risk changed since the
 *                  version the update was based on
 */

/*
 * The own agency's latest version of risk `id`, decoded into *out
 * (record_fini() it) with its hash in *hash. Errors: RM_ENOTFOUND (field
 * object_id: none, or not a valid object id), RM_EEXIST (an object that
 * is not a risk), RM_ESTORE.
 */
int service_risk_latest(struct node *n, const char *id,
    struct rm_record *out, rm_hash *hash, rm_why *why);

/*
 * Issue draft (a risk record of the own agency, ver = seq = 0, one
 * area; the caller owns it): base NULL for a new risk (RM_EEXIST if the
 * id exists), else the next version of the version with hash *base (as
 * service_risk_latest gave it; RM_EBUSY if another version came since,
 * RM_ENOTFOUND if there is none). Returns after the commit; *out on
 * success only. Thread-safe.
 */
int service_risk_issue(struct node *n, struct rm_record *draft,
    const rm_hash *base, struct service_issued *out, rm_why *why);

/*
 * Remove risk `id` of the own agency: the next version of its latest
 * one with status "removed" and reason (1..RM_RISK_REASON_MAX bytes of
 * UTF-8; RM_EMISSING/RM_EBADVALUE field "reason" otherwise). Errors
 * as service_risk_latest and service_risk_issue.
 */
int service_risk_remove(struct node *n, const char *id, const char *reason,
    struct service_issued *out, rm_why *why);

/* List filters; 0 / NULL / false: any. */
struct service_risk_filter {
	const char *area;            /* overlapping this area code */
	rm_grade grade;
	enum rm_risk_status status;  /* identified or controlled (removed
	                                risks are not in force) */
	enum rm_risk_category category;
	const char *responsible;     /* agency id */
	/* the views (node_risk_views.c, service_risks_page) */
	bool within;                 /* area: only items inside it (a
	                                district's register) */
	enum rm_risk_subcategory subcategory;
	bool overdue;                /* review date before `today` */
	const char *today;           /* "YYYY-MM-DD"; NULL: the UTC date
	                                of now */
	size_t limit;                /* items of one page; 0: all */
	const struct store_cursor *after; /* resume after this item (a
	                                page's next); NULL: the newest */
};

/*
 * The risks in force at now (every agency's, status not removed) that
 * match every filter of f, newest issued first: service_risks_page
 * without the page. Errors as service_risks_page.
 */
int service_risks_list(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, rm_why *why);

/* ---------------- risk register views (node_risk_views.c) ----------------
 * The views of the register over the store's query engine (store.h
 * "queries"): every filter is an index (the area, the kind's keys
 * grade=, status=, category=, subcategory=, responsible=, the key range
 * review= .. review=<today> for overdue items), AND'ed in the store, so
 * a page of 100 reads 100 records whatever the register's size.
 */
#define SERVICE_RISKS_LIMIT_MAX 100000

/*
 * One page of the risks in force at now matching every filter of f,
 * newest issued first: each() per item (as store_query), *page (may be
 * NULL) on success: how many, whether more follow, and the cursor of
 * the next page. Errors: RM_EBADVALUE (field "area": not an area code;
 * "within": no area; "today": not a date; "limit": above
 * SERVICE_RISKS_LIMIT_MAX), those of the store and each.
 */
int service_risks_page(struct node *n, const struct service_risk_filter *f,
    rm_utc_ms now, store_each_fn each, void *arg, struct store_page *page,
    rm_why *why);

/* Counts of in-force risks (no record is read). */
struct service_risk_counts {
	uint64_t total;
	uint64_t grade[5];           /* by rm_grade 1 (blue) .. 4 (red) */
	uint64_t status[3];          /* by rm_risk_status 1 (identified),
	                                2 (controlled) */
};

/* What the summary reports: one group and its counts. */
enum service_risk_group {
	SERVICE_RISK_AREA_TOTAL,     /* the area itself: name = the area */
	SERVICE_RISK_AREA_CHILD,     /* one level below (a district of a
	                                city): name = its significant prefix */
	SERVICE_RISK_RESPONSIBLE,    /* a responsible unit (department):
	                                name = its agency id */
};

/*
 * The roll-up of the register of `area` (items within it; NULL: every
 * item): each(arg, group, name, counts) for the area's total, then
 * each child area with items, then each responsible unit with items,
 * in key order (name and counts valid during the call; non-zero stops
 * and is returned). Counts only: no record is decoded. Errors:
 * RM_EBADVALUE (field "area"), those of the store and each.
 */
int service_risks_summary(struct node *n, const char *area, rm_utc_ms now,
    int (*each)(void *arg, enum service_risk_group group, const char *name,
        const struct service_risk_counts *c),
    void *arg, rm_why *why);

/* One change of the register between two dates. */
struct service_risk_change {
	const char *change;          /* "added", "regraded", "removed",
	                                "changed" */
	const struct rm_record *old; /* the version in force at `from`
	                                (NULL: added in the interval) */
	const rm_hash *old_hash;
	const struct rm_record *cur; /* the last version issued in the
	                                interval */
	const rm_hash *cur_hash;
	unsigned versions;           /* versions issued in the interval */
};

/*
 * The changes of the register in [from_ms, to_ms): per risk object with
 * a version issued then (every agency's, from the store's history),
 * ordered by the last version's issued time, each(arg, change). A risk
 * whose last version is removed is "removed" (its reason in the
 * record); one with no version before from_ms "added"; one whose grade
 * differs from the version before from_ms "regraded"; else "changed".
 * area: only risks whose area (old or new) overlaps it (NULL: all).
 * Errors: RM_EBADVALUE (field "from": not before to; "area"), RM_ENOMEM,
 * those of the store and each.
 */
int service_risks_diff(struct node *n, rm_utc_ms from_ms, rm_utc_ms to_ms,
    const char *area,
    int (*each)(void *arg, const struct service_risk_change *c), void *arg,
    rm_why *why);


/* ---------------- the risk register import (node_risk_import.c) -------
 * A whole register (the spreadsheet form, read by a front end: the
 * HTTP import reads CSV through node/repr) imported into the own
 * agency's register: per row a new risk (an id the agency has not
 * used), a new version of an existing one (only if something changed;
 * an unchanged row is counted, not issued again) or a removal (status
 * removed), each under the rules of service_risk_issue (status rule,
 * roster_authorise, the responsible unit covers the area). Every row is
 * checked first; nothing is imported from a register with a bad row
 * unless skip_errors (then the good rows are, and the bad ones are
 * listed as skipped). Then the rows are issued in batches of
 * SERVICE_IMPORT_BATCH records, each numbered and signed on the
 * importing thread and stored with one commit (store_put_sealed_batch),
 * the next batch signed while the store's writer applies the one
 * before, so that the rate approaches the signer's. Acknowledged only
 * after the commits. */

#define SERVICE_IMPORT_BATCH    1000    /* records per store commit */
#define SERVICE_IMPORT_BAD_MAX  10000   /* problems listed in a report
                                           (all bad rows are counted) */
#define SERVICE_IMPORT_ROWS_MAX 1000000 /* data rows in one import */

/* One problem of a row: its line in the file, the file's column at
 * fault ("grade", or "row" for the row as a whole), the reason. */
struct service_import_bad {
	size_t line;
	char column[32];
	char reason[RM_WHY_MAX];
};

/* What an import did (or, for a check, would do). */
struct service_import_report {
	size_t rows;                 /* data rows read */
	size_t created, updated, removed, unchanged;
	size_t foreign;              /* rows of another agency's register
	                                (origin column): left alone */
	size_t skipped;              /* bad rows left out (skip_errors) */
	size_t bad_rows;             /* rows with at least one problem */
	size_t n_bad;                /* problems listed in bad[] */
	size_t n_bad_total;          /* problems found */
	struct service_import_bad *bad; /* heap, n_bad entries, file order
	                                   of discovery */
	size_t bad_cap;
};

/* Free what rep holds (rep itself is the caller's); zeroes it. */
void service_import_report_fini(struct service_import_report *rep);

/* List a problem of the row at line (column, reason as above; cut to
 * fit). Counts it in n_bad_total; lists it if fewer than
 * SERVICE_IMPORT_BAD_MAX are listed. Errors: RM_ENOMEM. */
int service_import_report_bad(struct service_import_report *rep,
    size_t line, const char *column, const char *reason);

/*
 * Where the rows come from. The import reads them twice (to check every
 * row, then to issue), so the source can start again.
 *   rewind(arg, why): back to the first data row. Errors stop the import.
 *   next(arg, rep, &draft, &line, why): the next data row. RM_OK with
 *     *draft, a risk draft (ver = seq = 0, one area; origin the node's
 *     agency, or the agency whose register the row came from when the
 *     file says so: its origin column) owned by the source and valid
 *     until the next call, and
 *     *line, the 1-based line the row starts on; RM_EBADVALUE: the row
 *     could not be read as a risk and the source listed its problems
 *     with service_import_report_bad (*line set); RM_ENOTFOUND after
 *     the last row; any other error stops the import (why says why).
 *   column(arg, field): the file's column that holds a draft field
 *     ("object_id", "areas", "grade", "status", "responsible", "risk.
 *     review", ...), or "row" when none does.
 */
struct service_import_src {
	void *arg;
	int (*rewind)(void *arg, rm_why *why);
	int (*next)(void *arg, struct service_import_report *rep,
	    struct rm_record **draft, size_t *line, rm_why *why);
	const char *(*column)(void *arg, const char *field);
};

struct service_import_opts {
	bool skip_errors;            /* import the good rows of a file with
	                                bad ones (listed, counted skipped) */
	bool check;                  /* check against the roster and the
	                                store only: nothing is issued */
};

/*
 * Import the register src gives into the own agency's register. A row
 * whose draft's origin is another agency (an export of the city
 * register holds every agency's rows) is counted in rep->foreign and
 * left alone: neither checked against the store nor issued. Every
 * other row is checked first (the draft's rules, an id given twice, the
 * status rule against the latest version, roster_authorise, the
 * responsible unit); each problem is listed in rep with its line and
 * column. Then, unless o->check, the rows that change something are
 * issued in file order, SERVICE_IMPORT_BATCH records per commit
 * (store_put_sealed_batch: numbered from the own log's head and signed
 * by the agency's signer on this thread, stored only if the head and
 * each object's latest version are still the ones they were sealed on;
 * a head moved by a concurrent issue makes the batch be sealed again,
 * up to 8 times). rep (zeroed by
 * the caller) is filled in every case; service_import_report_fini it.
 * Returns RM_OK when everything (but the skipped rows) was imported or,
 * for a check, would be; RM_EBADVALUE (why: how many rows are bad)
 * when a row is bad and not skip_errors: nothing was issued. After
 * some batches were committed an error (RM_EBUSY field "object_id": a
 * risk changed meanwhile; the own-log guard's RM_EBUSY; RM_EBUSY
 * without a field when the own log's head kept moving under a batch;
 * RM_EFORK; store errors)
 * stops the import: rep counts what was committed and why names the
 * row ("line N: ..."). Errors also: RM_ETOOBIG (more than
 * SERVICE_IMPORT_ROWS_MAX rows), RM_ENOMEM, the source's. Blocks for the
 * commits; any thread but the store's.
 */
int service_risk_import(struct node *n, const struct service_import_src *src,
    const struct service_import_opts *o, struct service_import_report *rep,
    rm_why *why);

#endif /* RM_NODE_SERVICE_SERVICE_RISK_H */
