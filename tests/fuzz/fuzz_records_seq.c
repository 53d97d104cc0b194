/*
 * fuzz_records_seq.c -- libFuzzer harness for roster_load_records(): an
 * RFC 8742 CBOR sequence of signed records (the registrars' log file,
 * a POST /v1/records body) verified against a charter with one
 * registrar.
 *
 * Properties: no crash, leak or UB on any input; the walk reports each
 * complete item once, in order; the result is RM_OK with a roster, or
 * RM_EMALFORMED with none and a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "federation/trust/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct roster *charter;

static void
setup(void)
{
	struct roster_agency a;
	crypto_key *k;
	rm_why why;

	if (roster_new("fuzz", 1, &charter, &why) != RM_OK ||
	    crypto_key_generate(&k, &why) != RM_OK)
		abort();
	memset(&a, 0, sizeof(a));
	strcpy(a.id, "120000.registry");
	strcpy(a.name_zh, "登记");
	strcpy(a.name_en, "Registrar");
	strcpy(a.role, "centre");
	a.kinds = (rm_kind_set)1u << kind_index(&rm_kind_agency);
	a.max_grade = RM_GRADE_BLUE;
	a.n_areas = 1;
	strcpy(a.areas[0], "120000");
	a.key = k;
	if (roster_put_agency(charter, &a, &why) != RM_OK)
		abort();
	crypto_key_free(k);
}

static size_t last_index;
static int walked;

static int
each(void *arg, size_t index, const struct fed_record *fr, int err,
    const rm_why *why)
{
	(void)arg;
	if (walked > 0 && index != last_index + 1)
		abort();
	if ((err == RM_OK) != (fr != NULL) ||
	    (err != RM_OK && why->msg[0] == '\0'))
		abort();
	last_index = index;
	walked++;
	return RM_OK;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct roster *out = NULL;
	rm_why why = { "", "" };
	int rv;

	if (charter == NULL)
		setup();
	walked = 0;
	rv = roster_load_records(charter, data, size, each, NULL, NULL, &out,
	    &why);
	if (rv == RM_OK) {
		if (out == NULL)
			abort();
		roster_free(out);
	} else if (rv != RM_EMALFORMED || out != NULL || why.msg[0] == '\0')
		abort();
	return 0;
}
