/*
 * cap_int.h -- internals of the CAP 1.2 module (node/cap): the arena,
 * the parse context (element path + refusals), the schema-sequence
 * walker, and the value readers shared by the parser files
 * (cap_xml.c: document, sequence, text; cap_path.c: element paths; cap_alert.c: <alert>;
 * cap_info.c: <info>, <resource>; cap_area.c: <area>, numbers;
 * cap_time.c: times).
 */
#ifndef RM_NODE_CAP_CAP_INT_H
#define RM_NODE_CAP_CAP_INT_H

#include <libxml/tree.h>

#include "node/cap/cap.h"

/* The arena (cap_alloc, cap_strndup), cap_time_format and
 * cap_decimal_format are in schemas/cap_model.h (schemas/cap_mem.c). */

/* ---------------- parse context (cap_path.c, cap_xml.c) -------- */

struct cap_ctx {
	struct cap_alert *a;
	rm_why *why;
	char path[RM_WHY_FIELD_MAX];   /* "alert/info[0]/area[1]" */
	size_t path_len;
};

/* Append "/name" or "/name[i]" (i >= 0) to the path; returns the old
 * length for cap_pop. */
size_t cap_push(struct cap_ctx *c, const char *name, long i);
void cap_pop(struct cap_ctx *c, size_t len);
/* Refuse at the current path: why->field = path, why->msg =
 * "path: message". Returns err. */
int cap_fail(struct cap_ctx *c, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Refuse at path/name (name NULL: the path itself). */
int cap_fail_in(struct cap_ctx *c, const char *name, int err,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One element of a schema sequence: name, minOccurs, maxOccurs (0:
 * unbounded). */
struct cap_elem {
	const char *name;
	unsigned min, max;
};

/* Where the children matching one cap_elem are: the first and how
 * many (consecutive elements, the sequence being checked). */
struct cap_slot {
	xmlNode *first;
	size_t n;
	xmlNode *cur;       /* cap_slot_at's cursor: element cur_k */
	size_t cur_k;
};

/*
 * Check the element children of parent against the sequence tab[0..nt)
 * (order, minOccurs, maxOccurs, CAP namespace, no attributes, no text
 * between elements) and fill slots[0..nt). clause names the CAP 1.2
 * section for refusals ("§3.2.1").
 */
int cap_seq(struct cap_ctx *c, xmlNode *parent, const struct cap_elem *tab,
    size_t nt, const char *clause, struct cap_slot *slots);
/* The first element node at or after n, NULL if none. */
xmlNode *cap_elem_at(xmlNode *n);
/* The k-th element of a slot; O(1) when k is the previous call's k or
 * the one after (the cursor), so loops over a slot stay linear. */
xmlNode *cap_slot_at(struct cap_slot *s, size_t k);

/* The text of el (text and CDATA children, comments skipped) as an
 * arena string; an element child gives RM_EMALFORMED. The path must
 * already name el. */
int cap_text(struct cap_ctx *c, xmlNode *el, char **out);
/* cap_text of slot s's single element named name (pushed on the path
 * for the call), or NULL when the slot is empty. */
int cap_opt_text(struct cap_ctx *c, struct cap_slot *s,
    const char *name, char **out);

/* ---------------- readers ---------------- */

/* cap_ident_ok (CAP 1.2 §3.2.1): schemas/cap_model.h. */
/* CAP 1.2 §3.3.2 dateTime: "YYYY-MM-DDThh:mm:ss+hh:mm" exactly, offset
 * required, "Z" and "+00:00" refused (UTC is "-00:00"). RM_EBADVALUE
 * with the rule in why (at the current path). (cap_time.c) */
int cap_time_parse(struct cap_ctx *c, const char *s, struct cap_time *out);
/* An xs:decimal ("-12.5", no exponent) in s[0..n) into *out; false if
 * it is not one. (cap_area.c) */
bool cap_decimal(const char *s, size_t n, double *out);

/* <info> i (cap_info.c), <area> (cap_area.c); the path names the
 * element. */
int cap_parse_info(struct cap_ctx *c, xmlNode *el, struct cap_info *out);
int cap_parse_area(struct cap_ctx *c, xmlNode *el, struct cap_area *out);
/* <alert>, the root (cap_alert.c). */
int cap_parse_alert(struct cap_ctx *c, xmlNode *root);
/* A <valueName>/<value> pair element (eventCode, parameter, geocode). */
int cap_parse_pair(struct cap_ctx *c, xmlNode *el, struct cap_pair *out);

#endif /* RM_NODE_CAP_CAP_INT_H */
