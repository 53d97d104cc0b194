/*
 * cap_int.h -- private to the schemas module: the key tables of the CBOR
 * form of the CAP model (cap_enc.c, cap_dec.c), each in RFC 8949 §4.2.1
 * order (shorter keys first, then bytewise), and the number codec.
 */
#ifndef RM_SCHEMAS_CAP_INT_H
#define RM_SCHEMAS_CAP_INT_H

#include "schemas/cap_model.h"
#include "schemas/schemas_int.h"

enum cap_alert_key {
	CA_CODE, CA_INFO, CA_NOTE, CA_SENT, CA_SCOPE, CA_SENDER, CA_SOURCE,
	CA_STATUS, CA_MSGTYPE, CA_ADDRESSES, CA_INCIDENTS, CA_IDENTIFIER,
	CA_REFS, CA_RESTRICTION, CA_COUNT
};
enum cap_info_key {
	CI_WEB, CI_AREA, CI_EVENT, CI_ONSET, CI_CONTACT, CI_EXPIRES,
	CI_URGENCY, CI_AUDIENCE, CI_CATEGORY, CI_HEADLINE, CI_LANGUAGE,
	CI_RESOURCE, CI_SEVERITY, CI_CERTAINTY, CI_EFFECTIVE, CI_EVENTCODE,
	CI_PARAMETER, CI_SENDERNAME, CI_DESCRIPTION, CI_INSTRUCTION,
	CI_RESPONSE, CI_COUNT
};
enum cap_area_key {
	CR_CIRCLE, CR_CEILING, CR_GEOCODE, CR_POLYGON, CR_ALTITUDE,
	CR_AREADESC, CR_COUNT
};
enum cap_res_key {
	CS_URI, CS_SIZE, CS_DIGEST, CS_DEREFURI, CS_MIMETYPE, CS_DESC,
	CS_COUNT
};

extern const char *const cap_alert_keys[CA_COUNT];
extern const char *const cap_info_keys[CI_COUNT];
extern const char *const cap_area_keys[CR_COUNT];
extern const char *const cap_res_keys[CS_COUNT];

/* Numbers are integer millionths when the shortest decimal of the value
 * has at most this many fraction digits (and fits int64), else a
 * decimal fraction (tag 4). */
#define CAP_NUM_SCALE_DIGITS 6

/* Append v (cap_num_encode) / read one number at rd into *out, refusing
 * a form cap_num_encode would not write (RM_ENONCANON). */
int cap_num_encode(double v, rm_buf *b);
int cap_num_decode(rm_cbor_rd *rd, const char *field, double *out,
    rm_why *why);

/* A decoding pass: the alert whose arena takes everything, the field
 * path of what is being read ("cap.info[0].area[1]"). */
struct cap_dec {
	rm_cbor_rd *rd;
	struct cap_alert *a;
	rm_why *why;
	char f[RM_WHY_FIELD_MAX];
};

/* Shared readers of cap_dec.c and cap_dec_area.c; each names d->f in
 * its refusals. push_key/push_idx append ".key"/"[i]" to the path and
 * return the old length (restore with d->f[old] = '\0'). */
size_t cap_dec_push_key(struct cap_dec *d, const char *key);
size_t cap_dec_push_idx(struct cap_dec *d, size_t i);
/* A non-empty string copied into the arena. */
int cap_dec_str(struct cap_dec *d, char **out);
/* An array of 1..max items; items (NULL: not allocated) gets n zeroed
 * items of size bytes in the arena. */
int cap_dec_arr(struct cap_dec *d, size_t max, size_t size, size_t *n,
    void **items);
/* An array of exactly want items. */
int cap_dec_tuple(struct cap_dec *d, size_t want);
/* cap_dec_arr, then fn on each item with "[i]" on the path. */
int cap_dec_list(struct cap_dec *d, size_t max, size_t size, size_t *n,
    void **items, int (*fn)(struct cap_dec *, void *));
/* [epoch seconds, offset minutes]. */
int cap_dec_tm(struct cap_dec *d, struct cap_time *t);
/* [[valueName, value], ...]. */
int cap_dec_pairs(struct cap_dec *d, struct cap_pair **out, size_t *n);
/* One <area> / <resource> map (item: struct cap_area / cap_resource). */
int cap_dec_area(struct cap_dec *d, void *item);
int cap_dec_resource(struct cap_dec *d, void *item);

/* How many of has[0..n) are true. */
size_t cap_count(const bool *has, int n);

#endif /* RM_SCHEMAS_CAP_INT_H */
