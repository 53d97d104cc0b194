/*
 * repr_risk_csv.c -- the risk register in the spreadsheet form offices
 * keep (sims/data/risk-register.csv; repr.h "the risk register's
 * spreadsheet form"): reading a row into the risk record it would be,
 * and writing a record back as a row, so that export -> import round
 * trips and the CLI's offline check, the node's import and the CSV
 * views share one column table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/repr/repr.h"

/* Bilingual header cells: the English word after the last space is
 * the column's name. */
static const char *const col_header[REPR_RISK_COLS] = {
	"风险编号 risk_id", "风险名称 name", "风险类别 category",
	"风险子类 subcategory", "风险等级 grade", "区域代码 area_code",
	"具体位置 location", "纬度 lat", "经度 lon", "责任单位 responsible",
	"配合单位 cooperating", "管控措施 measures", "状态 status",
	"复核日期 review_date", "销号原因 reason", "登记单位 origin",
};

/* Chinese names of the values, by the English name. */
static const struct { const char *en, *zh; } zh_names[] = {
	{ "natural", "自然灾害" }, { "accident", "事故灾难" },
	{ "public_health", "公共卫生事件" },
	{ "social_security", "社会安全事件" },
	{ "typhoon", "台风" }, { "rainstorm_waterlogging", "暴雨内涝" },
	{ "flood", "洪水" }, { "storm_surge", "风暴潮" },
	{ "geological", "地质灾害" }, { "fire", "火灾" }, { "gas", "燃气" },
	{ "hazardous_chemicals", "危险化学品" }, { "water_supply", "供水" },
	{ "power_supply", "供电" }, { "heat_supply", "供热" },
	{ "building", "建筑" }, { "crowd", "人员密集场所" },
	{ "traffic", "交通" }, { "infectious_disease", "传染病" },
	{ "medical_access", "医疗救治" }, { "other", "其他" },
	{ "identified", "已识别" }, { "controlled", "管控中" },
	{ "removed", "已整改销号" },
	{ "red", "重大" }, { "orange", "较大" }, { "yellow", "一般" },
	{ "blue", "低" },
};

const char *
repr_risk_csv_column(enum repr_risk_col c)
{
	const char *h;

	if ((unsigned)c >= REPR_RISK_COLS)
		return NULL;
	h = strrchr(col_header[c], ' ');
	return h + 1;
}

/* The English word of a bilingual cell: "较大 orange" -> "orange". */
static const char *
english(const char *cell)
{
	const char *sp = strrchr(cell, ' ');

	return sp != NULL ? sp + 1 : cell;
}

const char *
repr_risk_value_en(const char *word)
{
	const char *en = english(word);

	for (size_t i = 0; i < sizeof(zh_names) / sizeof(zh_names[0]); i++)
		if (strcmp(zh_names[i].zh, word) == 0)
			return zh_names[i].en;
	return en;
}

int
repr_risk_csv_header(const char *const *f, size_t nf,
    struct repr_risk_csv_map *map, rm_why *why)
{
	for (int i = 0; i < REPR_RISK_COLS; i++) {
		const char *name = repr_risk_csv_column(i);

		map->col[i] = -1;
		for (size_t j = 0; j < nf; j++) {
			if (strcmp(english(f[j]), name) != 0)
				continue;
			if (map->col[i] >= 0)
				return rm_fail_at(why, RM_EEXIST, name, "column %s "
				    "twice (columns %d and %zu)", name,
				    map->col[i] + 1, j + 1);
			map->col[i] = (int)j;
		}
		if (map->col[i] < 0 && i != REPR_RISK_REASON &&
		    i != REPR_RISK_ORIGIN)
			return rm_fail_at(why, RM_EMISSING, name, "no column %s "
			    "(bilingual headers end with the English name, e.g. "
			    "\"风险等级 grade\")", name);
	}
	return RM_OK;
}

/* "39.1012" -> 39101200 micro-degrees; -1 if not a decimal number with
 * at most 6 decimals within [-limit, limit]. */
static int
micro_degrees(const char *s, int32_t limit, int32_t *out)
{
	int64_t v = 0, frac = 0;
	int sign = 1, nfrac = 0;
	const char *p = s;

	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > limit)
			return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++) {
			if (++nfrac > 6)
				return -1;
			frac = frac * 10 + (*p - '0');
		}
	if (*p != '\0')
		return -1;
	while (nfrac++ < 6)
		frac *= 10;
	v = sign * (v * 1000000 + frac);
	if (v < -(int64_t)limit * 1000000 || v > (int64_t)limit * 1000000)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* The column named in a kind rule's reason ("risk.grade: ..."). */
static const char *
rule_column(const char *msg)
{
	static const struct { const char *field; enum repr_risk_col col; }
	    map[] = {
		{ "risk.id", REPR_RISK_ID }, { "risk.name", REPR_RISK_NAME },
		{ "risk.category", REPR_RISK_CATEGORY },
		{ "risk.subcategory", REPR_RISK_SUBCATEGORY },
		{ "risk.grade", REPR_RISK_GRADE }, { "risk.point", REPR_RISK_LAT },
		{ "risk.location", REPR_RISK_LOCATION },
		{ "risk.responsible", REPR_RISK_RESPONSIBLE },
		{ "risk.cooperating", REPR_RISK_COOPERATING },
		{ "risk.measures", REPR_RISK_MEASURES },
		{ "risk.status", REPR_RISK_STATUS },
		{ "risk.reason", REPR_RISK_REASON },
		{ "risk.review", REPR_RISK_REVIEW }, { "areas", REPR_RISK_AREA },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strncmp(msg, map[i].field, strlen(map[i].field)) == 0)
			return repr_risk_csv_column(map[i].col);
	return "row";
}

const char *
repr_risk_csv_field_column(const char *field)
{
	static const struct { const char *field; enum repr_risk_col col; }
	    plain[] = {
		{ "object_id", REPR_RISK_ID }, { "oid", REPR_RISK_ID },
		{ "id", REPR_RISK_ID }, { "area", REPR_RISK_AREA },
		{ "review", REPR_RISK_REVIEW }, { "point", REPR_RISK_LAT },
	};

	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(field, plain[i].field) == 0)
			return repr_risk_csv_column(plain[i].col);
	for (int c = 0; c < REPR_RISK_COLS; c++)
		if (strcmp(field, repr_risk_csv_column(c)) == 0)
			return repr_risk_csv_column(c);
	return rule_column(field);
}

struct row_ctx {
	repr_risk_report_fn report;
	void *arg;
	bool bad;
};

static void say(struct row_ctx *x, enum repr_risk_col c, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static void
say(struct row_ctx *x, enum repr_risk_col c, const char *fmt, ...)
{
	char msg[RM_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	x->bad = true;
	x->report(x->arg, repr_risk_csv_column(c), msg);
}

/* Cooperating units, separated by ';', sorted (the kind's rule). */
static void
row_coop(struct row_ctx *x, const char *v, struct rm_risk *r)
{
	while (*v != '\0') {
		size_t len = strcspn(v, ";");

		if (r->n_coop == RM_RISK_COOP_MAX) {
			say(x, REPR_RISK_COOPERATING, "more than %d units",
			    RM_RISK_COOP_MAX);
			return;
		}
		if (len == 0 || len > RM_AGENCY_ID_MAX) {
			say(x, REPR_RISK_COOPERATING, "\"%.*s\" is not an agency "
			    "id", (int)(len < 64 ? len : 64), v);
			return;
		}
		memcpy(r->coop[r->n_coop], v, len);
		r->coop[r->n_coop++][len] = '\0';
		v += len + (v[len] == ';');
	}
	for (size_t i = 1; i < r->n_coop; i++)     /* insertion sort */
		for (size_t j = i; j > 0 && strcmp(r->coop[j - 1], r->coop[j]) >
		    0; j--) {
			char t[RM_AGENCY_ID_MAX + 1];

			memcpy(t, r->coop[j], sizeof(t));
			memcpy(r->coop[j], r->coop[j - 1], sizeof(t));
			memcpy(r->coop[j - 1], t, sizeof(t));
		}
}

static void
row_point(struct row_ctx *x, const char *lat, const char *lon,
    struct rm_risk *r)
{
	bool has_lat = lat[0] != '\0', has_lon = lon[0] != '\0';

	if (has_lat != has_lon) {
		say(x, has_lat ? REPR_RISK_LON : REPR_RISK_LAT,
		    "lat and lon come together");
		return;
	}
	if (!has_lat)
		return;
	if (micro_degrees(lat, 90, &r->point.lat_udeg) != 0)
		say(x, REPR_RISK_LAT, "\"%.32s\" is not a latitude (-90..90, at "
		    "most 6 decimals)", lat);
	if (micro_degrees(lon, 180, &r->point.lon_udeg) != 0)
		say(x, REPR_RISK_LON, "\"%.32s\" is not a longitude (-180..180, "
		    "at most 6 decimals)", lon);
	r->has_point = true;
}

int
repr_risk_csv_row(const struct repr_risk_csv_map *map, const char *const *f,
    size_t nf, rm_utc_ms now, struct repr_risk_row *out,
    repr_risk_report_fn report, void *arg)
{
	struct row_ctx x = { report, arg, false };
	struct rm_record *rec = &out->rec;
	struct rm_risk *r = &out->risk;
	const char *cell[REPR_RISK_COLS];
	rm_why why;

	memset(out, 0, sizeof(*out));
	for (int i = 0; i < REPR_RISK_COLS; i++) {
		if (map->col[i] < 0) {
			cell[i] = "";
		} else if ((size_t)map->col[i] >= nf) {
			say(&x, i, "missing (the row has %zu columns)", nf);
			return RM_EBADVALUE;
		} else
			cell[i] = f[map->col[i]];
	}
	rec->schema_version = RM_SCHEMA_VERSION;
	rec->kind = &rm_kind_risk;
	rec->body = r;
	rec->ver = 1;
	rec->seq = 1;
	rec->issued_ms = now;
	rec->n_areas = 1;
	if (strlen(cell[REPR_RISK_ID]) > RM_OBJECT_ID_MAX)
		say(&x, REPR_RISK_ID, "longer than %d bytes", RM_OBJECT_ID_MAX);
	else {
		memcpy(rec->object_id, cell[REPR_RISK_ID],
		    strlen(cell[REPR_RISK_ID]) + 1);
		memcpy(r->id, rec->object_id, sizeof(r->id));
	}
	r->name = (char *)cell[REPR_RISK_NAME];
	if (risk_category_parse(english(cell[REPR_RISK_CATEGORY]),
	    &r->category) != RM_OK)
		say(&x, REPR_RISK_CATEGORY, "\"%.64s\" is not natural, accident, "
		    "public_health or social_security", cell[REPR_RISK_CATEGORY]);
	if (risk_subcategory_parse(english(cell[REPR_RISK_SUBCATEGORY]),
	    &r->subcategory) != RM_OK)
		say(&x, REPR_RISK_SUBCATEGORY, "\"%.64s\" is not a known "
		    "subcategory", cell[REPR_RISK_SUBCATEGORY]);
	if (risk_grade_parse(cell[REPR_RISK_GRADE], &r->grade) != RM_OK &&
	    risk_grade_parse(english(cell[REPR_RISK_GRADE]), &r->grade) !=
	    RM_OK)
		say(&x, REPR_RISK_GRADE, "\"%.64s\" is not a grade (重大 red, 较大 "
		    "orange, 一般 yellow, 低 blue)", cell[REPR_RISK_GRADE]);
	if (strlen(cell[REPR_RISK_AREA]) > RM_AREA_CODE_MAX ||
	    !area_code_valid(cell[REPR_RISK_AREA]))
		say(&x, REPR_RISK_AREA, "\"%.32s\" is not a GB/T 2260 area code",
		    cell[REPR_RISK_AREA]);
	else
		memcpy(rec->areas[0], cell[REPR_RISK_AREA],
		    strlen(cell[REPR_RISK_AREA]) + 1);
	r->location = (char *)cell[REPR_RISK_LOCATION];
	row_point(&x, cell[REPR_RISK_LAT], cell[REPR_RISK_LON], r);
	if (strlen(cell[REPR_RISK_RESPONSIBLE]) > RM_AGENCY_ID_MAX)
		say(&x, REPR_RISK_RESPONSIBLE, "longer than %d bytes",
		    RM_AGENCY_ID_MAX);
	else
		memcpy(r->responsible, cell[REPR_RISK_RESPONSIBLE],
		    strlen(cell[REPR_RISK_RESPONSIBLE]) + 1);
	/* The kind's rules need an origin; the caller sets the real one. */
	memcpy(rec->origin, r->responsible, sizeof(rec->origin));
	row_coop(&x, cell[REPR_RISK_COOPERATING], r);
	r->measures = cell[REPR_RISK_MEASURES][0] != '\0' ?
	    (char *)cell[REPR_RISK_MEASURES] : NULL;
	if (risk_status_parse(english(cell[REPR_RISK_STATUS]), &r->status) !=
	    RM_OK)
		say(&x, REPR_RISK_STATUS, "\"%.64s\" is not identified, "
		    "controlled or removed", cell[REPR_RISK_STATUS]);
	if (r->status == RM_RISK_REMOVED)
		/* the reason column, or the register's own words */
		r->reason = (char *)(cell[REPR_RISK_REASON][0] != '\0' ?
		    cell[REPR_RISK_REASON] : cell[REPR_RISK_STATUS]);
	if (strlen(cell[REPR_RISK_REVIEW]) != 10 ||
	    !risk_date_valid(cell[REPR_RISK_REVIEW]))
		say(&x, REPR_RISK_REVIEW, "\"%.32s\" is not a date YYYY-MM-DD",
		    cell[REPR_RISK_REVIEW]);
	else
		memcpy(r->review, cell[REPR_RISK_REVIEW], 11);
	if (cell[REPR_RISK_ORIGIN][0] != '\0') {
		if (strlen(cell[REPR_RISK_ORIGIN]) > RM_AGENCY_ID_MAX ||
		    !agency_id_valid(cell[REPR_RISK_ORIGIN]))
			say(&x, REPR_RISK_ORIGIN, "\"%.64s\" is not an agency id",
			    cell[REPR_RISK_ORIGIN]);
		else
			memcpy(out->origin, cell[REPR_RISK_ORIGIN],
			    strlen(cell[REPR_RISK_ORIGIN]) + 1);
	}
	if (x.bad)
		return RM_EBADVALUE;
	/* The kind's own rules, exactly as a node applies them. */
	if (record_validate(rec, &why) != RM_OK) {
		x.report(x.arg, rule_column(why.msg), why.msg);
		return RM_EBADVALUE;
	}
	return RM_OK;
}

/* ---------------- writing ---------------- */

int
repr_risk_csv_write_header(rm_buf *b)
{
	size_t mark = b->len;
	int rv;

	if ((rv = rm_csv_bom(b)) == RM_OK &&
	    (rv = rm_csv_row(b, col_header, REPR_RISK_COLS)) != RM_OK)
		b->len = mark;
	return rv;
}

/* "较大 orange" for "orange"; the English name alone if it has no
 * Chinese name here. */
static void
bilingual(const char *en, char *out, size_t len)
{
	for (size_t i = 0; i < sizeof(zh_names) / sizeof(zh_names[0]); i++)
		if (strcmp(zh_names[i].en, en) == 0) {
			snprintf(out, len, "%s %s", zh_names[i].zh, en);
			return;
		}
	snprintf(out, len, "%s", en != NULL ? en : "");
}

/* Micro-degrees as the shortest exact decimal: 39101200 -> "39.1012". */
static void
degrees(int32_t udeg, char *out, size_t len)
{
	int64_t v = udeg;
	bool neg = v < 0;
	char frac[8];
	int n;

	if (neg)
		v = -v;
	snprintf(frac, sizeof(frac), "%06d", (int)(v % 1000000));
	for (n = 6; n > 0 && frac[n - 1] == '0'; n--)
		frac[n - 1] = '\0';
	snprintf(out, len, "%s%lld%s%s", neg ? "-" : "",
	    (long long)(v / 1000000), n > 0 ? "." : "", frac);
}

int
repr_risk_csv_write_row(rm_buf *b, const struct rm_record *rec)
{
	const struct rm_risk *r = record_risk(rec);
	char cat[64], sub[64], grade[32], status[64], lat[16] = "", lon[16] = "";
	char coop[RM_RISK_COOP_MAX * (RM_AGENCY_ID_MAX + 1) + 1] = "";
	const char *f[REPR_RISK_COLS];
	size_t off = 0;

	if (r == NULL)
		return RM_EINVAL;
	bilingual(risk_category_name(r->category), cat, sizeof(cat));
	bilingual(risk_subcategory_name(r->subcategory), sub, sizeof(sub));
	bilingual(grade_name(r->grade), grade, sizeof(grade));
	bilingual(risk_status_name(r->status), status, sizeof(status));
	if (r->has_point) {
		degrees(r->point.lat_udeg, lat, sizeof(lat));
		degrees(r->point.lon_udeg, lon, sizeof(lon));
	}
	for (size_t i = 0; i < r->n_coop; i++)
		off += (size_t)snprintf(coop + off, sizeof(coop) - off, "%s%s",
		    i > 0 ? ";" : "", r->coop[i]);
	f[REPR_RISK_ID] = r->id;
	f[REPR_RISK_NAME] = r->name;
	f[REPR_RISK_CATEGORY] = cat;
	f[REPR_RISK_SUBCATEGORY] = sub;
	f[REPR_RISK_GRADE] = grade;
	f[REPR_RISK_AREA] = rec->areas[0];
	f[REPR_RISK_LOCATION] = r->location;
	f[REPR_RISK_LAT] = lat;
	f[REPR_RISK_LON] = lon;
	f[REPR_RISK_RESPONSIBLE] = r->responsible;
	f[REPR_RISK_COOPERATING] = coop;
	f[REPR_RISK_MEASURES] = r->measures;
	f[REPR_RISK_STATUS] = status;
	f[REPR_RISK_REVIEW] = r->review;
	f[REPR_RISK_REASON] = r->reason;
	f[REPR_RISK_ORIGIN] = rec->origin;
	return rm_csv_row(b, f, REPR_RISK_COLS);
}
