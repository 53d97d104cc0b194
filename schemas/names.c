/*
 * names.c -- text names of the record enumerations (the CAP 1.2 §3.2
 * value names, the colour grades and the record kinds) and the
 * canonical key tables of schemas_int.h.
 */
#include <string.h>

#include "schemas/schemas_int.h"

/* Canonical key order, RFC 8949 §4.2.1; see schemas_int.h. */
const char *const rm_rec_keys[RK_COUNT] = {
	[RK_V] = "v", [RK_TO] = "to", [RK_OID] = "oid", [RK_SEQ] = "seq", [RK_VER] = "ver",
	[RK_BODY] = "body", [RK_KIND] = "kind", [RK_PREV] = "prev",
	[RK_AREAS] = "areas", [RK_ISSUED] = "issued",
	[RK_ORIGIN] = "origin", [RK_EXPIRES] = "expires",
	[RK_SUPERSEDES] = "supersedes",
};

const char *const rm_alert_keys[AK_COUNT] = {
	[AK_ID] = "id", [AK_CAP] = "cap", [AK_CAT] = "cat", [AK_REFS] = "refs",
	[AK_GRADE] = "grade", [AK_TEXTS] = "texts", [AK_CIRCLE] = "circle",
	[AK_STATUS] = "status", [AK_MSGTYPE] = "msgType",
	[AK_POLYGON] = "polygon", [AK_URGENCY] = "urgency",
	[AK_SEVERITY] = "severity", [AK_CERTAINTY] = "certainty",
	[AK_EFFECTIVE] = "effective",
};

const char *const rm_text_keys[TK_COUNT] = {
	[TK_DESC] = "desc", [TK_LANG] = "lang", [TK_EVENT] = "event",
	[TK_INSTR] = "instr", [TK_SENDER] = "sender",
	[TK_AREADESC] = "areaDesc", [TK_HEADLINE] = "headline",
};

/* Name tables indexed by enum value; index 0 is unused (values start
 * at 1). */
static const char *const grade_names[] = {
	NULL, "blue", "yellow", "orange", "red",
};
static const char *const status_names[] = {
	NULL, "Actual", "Exercise", "System", "Test", "Draft",
};
static const char *const msgtype_names[] = {
	NULL, "Alert", "Update", "Cancel", "Ack", "Error",
};
static const char *const urgency_names[] = {
	NULL, "Immediate", "Expected", "Future", "Past", "Unknown",
};
static const char *const severity_names[] = {
	NULL, "Extreme", "Severe", "Moderate", "Minor", "Unknown",
};
static const char *const certainty_names[] = {
	NULL, "Observed", "Likely", "Possible", "Unlikely", "Unknown",
};
/* Bit i of the RM_CAT_* set. */
static const char *const category_names[RM_CAT_COUNT] = {
	"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health",
	"Env", "Transport", "Infra", "CBRNE", "Other",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
name_of(const char *const *tab, size_t n, int v)
{
	if (v <= 0 || (size_t)v >= n)
		return NULL;
	return tab[v];
}

static int
parse_in(const char *const *tab, size_t n, const char *s, int *out)
{
	if (s == NULL)
		return RM_EBADVALUE;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(tab[i], s) == 0) {
			*out = (int)i;
			return RM_OK;
		}
	}
	return RM_EBADVALUE;
}

#define NAME_FUNCS(fname, fparse, type, tab)                               \
	const char *                                                       \
	fname(type v)                                                      \
	{                                                                  \
		return name_of(tab, NELEM(tab), (int)v);                   \
	}                                                                  \
	int                                                                \
	fparse(const char *s, type *out)                                   \
	{                                                                  \
		int v, rv;                                                 \
		if ((rv = parse_in(tab, NELEM(tab), s, &v)) != RM_OK)      \
			return rv;                                         \
		*out = (type)v;                                            \
		return RM_OK;                                              \
	}

NAME_FUNCS(grade_name, grade_parse, rm_grade, grade_names)
NAME_FUNCS(cap_status_name, cap_status_parse, rm_cap_status, status_names)
NAME_FUNCS(cap_msgtype_name, cap_msgtype_parse, rm_cap_msgtype,
    msgtype_names)
NAME_FUNCS(cap_urgency_name, cap_urgency_parse, rm_cap_urgency,
    urgency_names)
NAME_FUNCS(cap_severity_name, cap_severity_parse, rm_cap_severity,
    severity_names)
NAME_FUNCS(cap_certainty_name, cap_certainty_parse, rm_cap_certainty,
    certainty_names)

int
cap_category_parse(const char *s, uint32_t *bit)
{
	if (s == NULL)
		return RM_EBADVALUE;
	for (unsigned i = 0; i < RM_CAT_COUNT; i++) {
		if (strcmp(category_names[i], s) == 0) {
			*bit = 1u << i;
			return RM_OK;
		}
	}
	return RM_EBADVALUE;
}

const char *
cap_category_name(uint32_t bit)
{
	for (unsigned i = 0; i < RM_CAT_COUNT; i++)
		if (bit == 1u << i)
			return category_names[i];
	return NULL;
}

rm_cap_severity
grade_cap_severity(rm_grade g)
{
	switch (g) {
	case RM_GRADE_RED:
		return RM_SEVERITY_EXTREME;
	case RM_GRADE_ORANGE:
		return RM_SEVERITY_SEVERE;
	case RM_GRADE_YELLOW:
		return RM_SEVERITY_MODERATE;
	case RM_GRADE_BLUE:
		return RM_SEVERITY_MINOR;
	default:
		return RM_SEVERITY_UNKNOWN;
	}
}

int
schemas_key_find(const char *const *table, int n, const char *key,
    size_t len)
{
	for (int i = 0; i < n; i++)
		if (rm_cbor_key_is(key, len, table[i]))
			return i;
	return -1;
}

void
schemas_quote(const char *p, size_t n, char out[160])
{
	static const char hx[] = "0123456789abcdef";
	size_t o = 0, i = 0;

	out[o++] = '"';
	while (i < n) {
		unsigned char c = (unsigned char)p[i];
		size_t len = 1;

		if (i >= 32) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (c >= 0xf0)
			len = 4;
		else if (c >= 0xe0)
			len = 3;
		else if (c >= 0xc0)
			len = 2;
		if (len > 1 && i + len <= n &&
		    rm_utf8_valid(p + i, len)) {
			memcpy(out + o, p + i, len);
			o += len;
			i += len;
			continue;
		}
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hx[c >> 4];
			out[o++] = hx[c & 15];
		}
		i++;
	}
	out[o++] = '"';
	out[o] = '\0';
}
