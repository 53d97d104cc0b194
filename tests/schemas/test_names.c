/*
 * test_names.c -- enumeration names, area codes and identifiers.
 */
#include <string.h>

#include "schemas/schemas.h"
#include "rm_test.h"

/* For each enum: every value prints to its name and parses back; the
 * values either side have no name; unknown and wrong-case names fail. */
#define CHECK_ENUM(type, namefn, parsefn, names, last)                   \
	do {                                                             \
		type v_;                                                 \
		for (int i_ = 1; i_ <= (int)(last); i_++) {              \
			CU_ASSERT_STRING_EQUAL(namefn((type)i_),         \
			    names[i_ - 1]);                              \
			CU_ASSERT_EQUAL(parsefn(names[i_ - 1], &v_),     \
			    RM_OK);                                      \
			CU_ASSERT_EQUAL((int)v_, i_);                    \
		}                                                        \
		CU_ASSERT_PTR_NULL(namefn((type)0));                     \
		CU_ASSERT_PTR_NULL(namefn((type)((int)(last) + 1)));     \
		CU_ASSERT_EQUAL(parsefn("nonsense", &v_), RM_EBADVALUE); \
		CU_ASSERT_EQUAL(parsefn("", &v_), RM_EBADVALUE);         \
		CU_ASSERT_EQUAL(parsefn(NULL, &v_), RM_EBADVALUE);       \
	} while (0)

static void
test_enum_names(void)
{
	static const char *grades[] = { "blue", "yellow", "orange", "red" };
	static const char *kinds[] = { "alert" };
	static const char *status[] = { "Actual", "Exercise", "System",
	    "Test", "Draft" };
	static const char *msgtypes[] = { "Alert", "Update", "Cancel", "Ack",
	    "Error" };
	static const char *urgency[] = { "Immediate", "Expected", "Future",
	    "Past", "Unknown" };
	static const char *severity[] = { "Extreme", "Severe", "Moderate",
	    "Minor", "Unknown" };
	static const char *certainty[] = { "Observed", "Likely", "Possible",
	    "Unlikely", "Unknown" };
	rm_grade g;
	rm_cap_status st;

	CHECK_ENUM(rm_grade, grade_name, grade_parse, grades, RM_GRADE_RED);
	/* kinds are a registry: names resolve exactly, case-sensitive */
	CU_ASSERT_PTR_EQUAL(kind_find(kinds[0], strlen(kinds[0])),
	    &rm_kind_alert);
	CU_ASSERT_STRING_EQUAL(rm_kind_alert.name, kinds[0]);
	CU_ASSERT_PTR_NULL(kind_find("Alert", 5));
	CU_ASSERT_PTR_NULL(kind_find("alerts", 6));
	CU_ASSERT_PTR_NULL(kind_find("alert", 4));
	CU_ASSERT_PTR_NULL(kind_find("", 0));
	CU_ASSERT_PTR_NULL(kind_find(NULL, 0));
	CU_ASSERT_PTR_EQUAL(kind_at(0), &rm_kind_alert);
	CU_ASSERT_EQUAL(kind_index(&rm_kind_alert), 0);
	CHECK_ENUM(rm_cap_status, cap_status_name, cap_status_parse, status,
	    RM_STATUS_DRAFT);
	CHECK_ENUM(rm_cap_msgtype, cap_msgtype_name, cap_msgtype_parse,
	    msgtypes, RM_MSGTYPE_ERROR);
	CHECK_ENUM(rm_cap_urgency, cap_urgency_name, cap_urgency_parse,
	    urgency, RM_URGENCY_UNKNOWN);
	CHECK_ENUM(rm_cap_severity, cap_severity_name, cap_severity_parse,
	    severity, RM_SEVERITY_UNKNOWN);
	CHECK_ENUM(rm_cap_certainty, cap_certainty_name, cap_certainty_parse,
	    certainty, RM_CERTAINTY_UNKNOWN);
	/* case-sensitive, as CAP 1.2 */
	CU_ASSERT_EQUAL(grade_parse("Red", &g), RM_EBADVALUE);
	CU_ASSERT_EQUAL(cap_status_parse("actual", &st), RM_EBADVALUE);
	/* grade order blue < yellow < orange < red */
	CU_ASSERT(RM_GRADE_BLUE < RM_GRADE_YELLOW &&
	    RM_GRADE_YELLOW < RM_GRADE_ORANGE && RM_GRADE_ORANGE < RM_GRADE_RED);
}

static void
test_categories(void)
{
	static const struct {
		const char *name;
		uint32_t bit;
	} cats[] = {
		{ "Geo", RM_CAT_GEO }, { "Met", RM_CAT_MET },
		{ "Safety", RM_CAT_SAFETY }, { "Security", RM_CAT_SECURITY },
		{ "Rescue", RM_CAT_RESCUE }, { "Fire", RM_CAT_FIRE },
		{ "Health", RM_CAT_HEALTH }, { "Env", RM_CAT_ENV },
		{ "Transport", RM_CAT_TRANSPORT }, { "Infra", RM_CAT_INFRA },
		{ "CBRNE", RM_CAT_CBRNE }, { "Other", RM_CAT_OTHER },
	};
	uint32_t bit;

	for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
		CU_ASSERT_STRING_EQUAL(cap_category_name(cats[i].bit),
		    cats[i].name);
		CU_ASSERT_EQUAL(cap_category_parse(cats[i].name, &bit), RM_OK);
		CU_ASSERT_EQUAL(bit, cats[i].bit);
	}
	CU_ASSERT_PTR_NULL(cap_category_name(0));
	CU_ASSERT_PTR_NULL(cap_category_name(RM_CAT_MET | RM_CAT_GEO));
	CU_ASSERT_PTR_NULL(cap_category_name(1u << 12));
	CU_ASSERT_EQUAL(cap_category_parse("met", &bit), RM_EBADVALUE);
	CU_ASSERT_EQUAL(cap_category_parse("Weather", &bit), RM_EBADVALUE);
}

static void
test_grade_severity(void)
{
	CU_ASSERT_EQUAL(grade_cap_severity(RM_GRADE_RED), RM_SEVERITY_EXTREME);
	CU_ASSERT_EQUAL(grade_cap_severity(RM_GRADE_ORANGE),
	    RM_SEVERITY_SEVERE);
	CU_ASSERT_EQUAL(grade_cap_severity(RM_GRADE_YELLOW),
	    RM_SEVERITY_MODERATE);
	CU_ASSERT_EQUAL(grade_cap_severity(RM_GRADE_BLUE), RM_SEVERITY_MINOR);
	CU_ASSERT_EQUAL(grade_cap_severity((rm_grade)0), RM_SEVERITY_UNKNOWN);
}

static void
test_area_valid(void)
{
	static const char *good[] = {
		"120000", "120100", "120103", "120116", "120116001",
		"120116001002", "110000", "650000", "990000", "010000",
	};
	static const char *bad[] = {
		"", "12", "12010", "1201030", "12011600", "1201160010",
		"12011600100", "1201160010021", "000000", "001200",
		"12010a", " 120103", "120103 ", "120103.x", "-12010",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CU_ASSERT(area_code_valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!area_code_valid(bad[i]));
	CU_ASSERT(!area_code_valid(NULL));
}

static void
test_area_prefix(void)
{
	static const struct {
		const char *code, *prefix;
	} t[] = {
		{ "120000", "12" }, { "120100", "1201" },
		{ "120116", "120116" }, { "120116001", "120116001" },
		{ "120116000", "120116" }, { "120116000000", "120116" },
		{ "120116001000", "120116001" },
		{ "120116001002", "120116001002" },
		{ "120000000", "12" }, { "120016", "120016" },
	};
	char out[RM_AREA_CODE_MAX + 1];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		CU_ASSERT_EQUAL(area_code_prefix(t[i].code, out),
		    strlen(t[i].prefix));
		CU_ASSERT_STRING_EQUAL(out, t[i].prefix);
	}
}

static void
test_area_contains(void)
{
	static const struct {
		const char *outer, *inner;
		bool contains;
	} t[] = {
		{ "120000", "120116", true },
		{ "120000", "120116001", true },
		{ "120000", "120116001002", true },
		{ "120000", "120000", true },
		{ "120100", "120103", true },
		{ "120100", "120116", true },
		{ "120116", "120116001", true },
		{ "120116", "120116", true },
		{ "120116000", "120116", true },
		{ "120116", "120116000", true },
		{ "120116001", "120116001002", true },
		{ "120116", "120103", false },
		{ "120103", "120116", false },
		{ "120116", "120000", false },
		{ "120116001", "120116", false },
		{ "120116001", "120116002", false },
		{ "120100", "120200", false },
		{ "120000", "110000", false },
		{ "120000", "110101", false },
		{ "120000", "12011", false },	/* invalid inner */
		{ "12", "120116", false },	/* invalid outer */
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool got = area_contains(t[i].outer, t[i].inner);
		if (got != t[i].contains) {
			fprintf(stderr, "\n  area_contains(%s, %s) = %d\n",
			    t[i].outer, t[i].inner, got);
			CU_FAIL("area_contains");
		}
	}
	CU_ASSERT(area_overlaps("120000", "120116"));
	CU_ASSERT(area_overlaps("120116", "120000"));
	CU_ASSERT(area_overlaps("120116001", "120116"));
	CU_ASSERT(!area_overlaps("120116", "120103"));
	CU_ASSERT(!area_overlaps("120116001", "120116002"));
	CU_ASSERT(!area_contains(NULL, "120116"));
}

static void
test_ids(void)
{
	char long_name[80];

	CU_ASSERT(agency_id_valid("120103.emergency"));
	CU_ASSERT(agency_id_valid("120000.meteo"));
	CU_ASSERT(agency_id_valid("120116001.water_bureau-2"));
	CU_ASSERT(!agency_id_valid("120103."));
	CU_ASSERT(!agency_id_valid("120103"));
	CU_ASSERT(!agency_id_valid("120103.Emergency"));
	CU_ASSERT(!agency_id_valid("120103.em.x"));
	CU_ASSERT(!agency_id_valid("12010.em"));
	CU_ASSERT(!agency_id_valid("000103.em"));
	CU_ASSERT(!agency_id_valid(".em"));
	CU_ASSERT(!agency_id_valid(NULL));
	strcpy(long_name, "120103.");
	memset(long_name + 7, 'a', 48);
	long_name[55] = '\0';
	CU_ASSERT(agency_id_valid(long_name));
	long_name[55] = 'a';
	long_name[56] = '\0';
	CU_ASSERT(!agency_id_valid(long_name));

	CU_ASSERT(object_id_valid("a"));
	CU_ASSERT(object_id_valid("typhoon-2026-09:tj.v_2"));
	CU_ASSERT(!object_id_valid(""));
	CU_ASSERT(!object_id_valid("a b"));
	CU_ASSERT(!object_id_valid("a/b"));
	CU_ASSERT(!object_id_valid("台风"));
	CU_ASSERT(!object_id_valid("."));
	CU_ASSERT(!object_id_valid(".."));
	CU_ASSERT(object_id_valid("..."));
	CU_ASSERT(object_id_valid(".a"));
	CU_ASSERT(!object_id_valid(NULL));
	{
		char oid[RM_OBJECT_ID_MAX + 2];
		memset(oid, 'x', RM_OBJECT_ID_MAX);
		oid[RM_OBJECT_ID_MAX] = '\0';
		CU_ASSERT(object_id_valid(oid));
		oid[RM_OBJECT_ID_MAX] = 'x';
		oid[RM_OBJECT_ID_MAX + 1] = '\0';
		CU_ASSERT(!object_id_valid(oid));
	}
}

static CU_TestInfo names_tests[] = {
	{ "enumeration names", test_enum_names },
	{ "CAP categories", test_categories },
	{ "grade to CAP severity", test_grade_severity },
	{ "area code validity", test_area_valid },
	{ "area code prefix", test_area_prefix },
	{ "area containment table", test_area_contains },
	{ "agency and object ids", test_ids },
	CU_TEST_INFO_NULL,
};

void
rm_test_register(void)
{
	RM_SUITE("schemas.names", names_tests);
}
