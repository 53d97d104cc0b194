/*
 * cap_mem.c -- the arena a parsed or converted CAP alert owns (one list
 * of allocations, freed at once by cap_alert_fini), and the CAP names of
 * the enumerations this module adds.
 */
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap_int.h"

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
