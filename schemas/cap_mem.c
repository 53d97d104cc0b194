/*
 * cap_mem.c -- the arena a parsed, decoded or converted CAP alert owns
 * (one list of allocations, freed at once by cap_alert_fini), the CAP
 * names of the enumerations the model adds, and the text forms of times
 * and numbers shared by the XML writer and the CBOR codec.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schemas/cap_model.h"

struct cap_chunk {
	struct cap_chunk *next;
	max_align_t data[];
};

void *
cap_alloc(struct cap_alert *a, size_t n, size_t size)
{
	struct cap_chunk *ch;
	size_t bytes;

	if (size != 0 && n > (SIZE_MAX - sizeof(*ch)) / size)
		return NULL;
	bytes = n * size;
	if ((ch = calloc(1, sizeof(*ch) + (bytes ? bytes : 1))) == NULL)
		return NULL;
	ch->next = a->arena;
	a->arena = ch;
	return ch->data;
}

char *
cap_strndup(struct cap_alert *a, const char *s, size_t n)
{
	char *p = cap_alloc(a, n + 1, 1);

	if (p != NULL)
		memcpy(p, s, n);
	return p;
}

void
cap_alert_fini(struct cap_alert *a)
{
	struct cap_chunk *ch, *next;

	if (a == NULL)
		return;
	for (ch = a->arena; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	memset(a, 0, sizeof(*a));
}

const char *
cap_scope_name(enum cap_scope s)
{
	static const char *const n[] = { NULL, "Public", "Restricted",
		"Private" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : NULL;
}

const char *
cap_response_name(enum cap_response r)
{
	static const char *const n[] = { NULL, "Shelter", "Evacuate",
		"Prepare", "Execute", "Avoid", "Monitor", "Assess", "AllClear",
		"None" };

	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : NULL;
}

void
cap_time_format(const struct cap_time *t, char out[32])
{
	time_t local = (time_t)(t->at_ms / 1000) + (time_t)t->offset_min * 60;
	int off = t->offset_min < 0 ? -t->offset_min : t->offset_min;
	struct tm tm;

	gmtime_r(&local, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 32 - 19, "%c%02d:%02d", t->offset_min > 0 ? '+' :
	    '-', (off / 60) % 100, off % 60);
}

void
cap_decimal_format(double v, char out[48])
{
	for (int p = 0; p <= CAP_DECIMAL_FRAC_MAX + 2; p++) {
		snprintf(out, 48, "%.*f", p, v);
		if (strtod(out, NULL) == v)
			return;
	}
}

int
cap_param_grade(const struct cap_pair *p, rm_grade *out)
{
	if (p->name == NULL || (strcmp(p->name, CAP_GRADE_NAME) != 0 &&
	    strcmp(p->name, CAP_GRADE_NAME_URN) != 0)) {
		*out = 0;
		return RM_OK;
	}
	return p->value != NULL ? grade_parse(p->value, out) : RM_EBADVALUE;
}
