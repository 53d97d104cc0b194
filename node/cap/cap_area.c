/*
 * cap_area.c -- the <area> element (CAP 1.2 §3.2.4): areaDesc, polygons
 * (every vertex kept), circles, geocodes, altitude and ceiling; and
 * the xs:decimal numbers they are written in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cap/cap_int.h"

#define WS " \t\r\n"

enum { AR_DESC, AR_POLY, AR_CIRCLE, AR_GEO, AR_ALT, AR_CEIL, AR_COUNT };

static const struct cap_elem area_seq[AR_COUNT] = {
	{ "areaDesc", 1, 1 }, { "polygon", 0, 0 }, { "circle", 0, 0 },
	{ "geocode", 0, 0 }, { "altitude", 0, 1 }, { "ceiling", 0, 1 },
};

bool
cap_decimal(const char *s, size_t n, double *out)
{
	char buf[64];
	size_t i = 0, whole = 0, frac = 0;

	if (n == 0 || n >= sizeof(buf))
		return false;
	if (s[0] == '+' || s[0] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		whole++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			frac++;
	if (i != n || whole + frac == 0 || whole > CAP_DECIMAL_WHOLE_MAX ||
	    frac > CAP_DECIMAL_FRAC_MAX)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return *out <= CAP_DECIMAL_ABS_MAX && *out >= -CAP_DECIMAL_ABS_MAX;
}

/* "lat,lon" in s[0..n), in range. */
static bool
point(const char *s, size_t n, struct cap_point *p)
{
	const char *comma = memchr(s, ',', n);

	return comma != NULL &&
	    cap_decimal(s, (size_t)(comma - s), &p->lat) &&
	    cap_decimal(comma + 1, n - (size_t)(comma - s) - 1, &p->lon) &&
	    p->lat >= -90 && p->lat <= 90 && p->lon >= -180 && p->lon <= 180;
}

/* Pairs separated by any white space; >= 4, closed (CAP 1.2 §3.2.4). */
static int
polygon(struct cap_ctx *c, const char *t, struct cap_polygon *out)
{
	size_t n = 0, len;
	const char *p;

	for (p = t + strspn(t, WS); *p; p += len, p += strspn(p, WS)) {
		len = strcspn(p, WS);
		n++;
	}
	if ((out->pts = cap_alloc(c->a, n, sizeof(*out->pts))) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (p = t + strspn(t, WS); *p; p += len, p += strspn(p, WS)) {
		len = strcspn(p, WS);
		if (!point(p, len, &out->pts[out->n]))
			return cap_fail(c, RM_EBADVALUE, "pair %zu \"%.*s\" is "
			    "not lat,lon in range (CAP 1.2 §3.2.4: WGS 84 "
			    "decimal degrees, -90..90, -180..180)", out->n,
			    (int)(len > 40 ? 40 : len), p);
		out->n++;
	}
	if (n < 4)
		return cap_fail(c, RM_EBADVALUE, "%zu pairs (CAP 1.2 §3.2.4: "
		    "at least 4 lat,lon pairs)", n);
	if (out->pts[0].lat != out->pts[n - 1].lat ||
	    out->pts[0].lon != out->pts[n - 1].lon)
		return cap_fail(c, RM_EBADVALUE, "not closed: the last pair "
		    "differs from the first (CAP 1.2 §3.2.4)");
	return RM_OK;
}

/* "lat,lon radius", radius in km >= 0 (CAP 1.2 §3.2.4). */
static int
circle(struct cap_ctx *c, const char *t, struct cap_circle *out)
{
	const char *p = t + strspn(t, WS), *r;
	size_t len = strcspn(p, WS), rlen;

	r = p + len + strspn(p + len, WS);
	rlen = strcspn(r, WS);
	if (len == 0 || rlen == 0 || r[rlen + strspn(r + rlen, WS)] != '\0' ||
	    !point(p, len, &out->centre) ||
	    !cap_decimal(r, rlen, &out->radius_km))
		return cap_fail(c, RM_EBADVALUE, "\"%.60s\" is not \"lat,lon "
		    "radius\" in range (CAP 1.2 §3.2.4)", t);
	if (out->radius_km < 0)
		return cap_fail(c, RM_EBADVALUE, "radius %.20s km is negative "
		    "(CAP 1.2 §3.2.4: radius >= 0)", r);
	return RM_OK;
}

/* Each element of a slot through fn into the array at out (elements
 * of size sz). */
static int
each(struct cap_ctx *c, struct cap_slot *s, const char *name,
    void **out, size_t sz, size_t *n,
    int (*fn)(struct cap_ctx *, const char *, void *))
{
	int rv = RM_OK;

	if ((*out = cap_alloc(c->a, s->n, sz)) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->n && rv == RM_OK; i++) {
		size_t old = cap_push(c, name, (long)i);
		char *t;

		if ((rv = cap_text(c, cap_slot_at(s, i), &t)) == RM_OK)
			rv = fn(c, t, (char *)*out + i * sz);
		cap_pop(c, old);
		*n = i + 1;
	}
	return rv;
}

static int
poly_fn(struct cap_ctx *c, const char *t, void *o)
{
	return polygon(c, t, o);
}

static int
circle_fn(struct cap_ctx *c, const char *t, void *o)
{
	return circle(c, t, o);
}

/* altitude / ceiling: xs:decimal, white space around collapsed. */
static int
height(struct cap_ctx *c, struct cap_slot *s, const char *name,
    bool *has, double *v)
{
	size_t old;
	char *t;
	int rv;

	if (s->n == 0)
		return RM_OK;
	old = cap_push(c, name, -1);
	if ((rv = cap_text(c, s->first, &t)) == RM_OK) {
		const char *p = t + strspn(t, WS);
		size_t len = strcspn(p, WS);

		if (p[len + strspn(p + len, WS)] != '\0' ||
		    !cap_decimal(p, len, v))
			rv = cap_fail(c, RM_EBADVALUE, "\"%.32s\" is not a "
			    "decimal number of feet (CAP 1.2 §3.2.4)", t);
		*has = true;
	}
	cap_pop(c, old);
	return rv;
}

int
cap_parse_area(struct cap_ctx *c, xmlNode *el, struct cap_area *ar)
{
	struct cap_slot s[AR_COUNT];
	int rv;

	if ((rv = cap_seq(c, el, area_seq, AR_COUNT, "§3.2.4", s)) != RM_OK ||
	    (rv = cap_opt_text(c, &s[AR_DESC], "areaDesc", &ar->desc)) ||
	    (rv = each(c, &s[AR_POLY], "polygon", (void **)&ar->polygon,
	    sizeof(*ar->polygon), &ar->n_polygon, poly_fn)) != RM_OK ||
	    (rv = each(c, &s[AR_CIRCLE], "circle", (void **)&ar->circle,
	    sizeof(*ar->circle), &ar->n_circle, circle_fn)) != RM_OK)
		return rv;
	if ((ar->geocode = cap_alloc(c->a, s[AR_GEO].n,
	    sizeof(*ar->geocode))) == NULL)
		return cap_fail(c, RM_ENOMEM, "out of memory");
	for (size_t i = 0; i < s[AR_GEO].n; i++) {
		size_t old = cap_push(c, "geocode", (long)i);

		rv = cap_parse_pair(c, cap_slot_at(&s[AR_GEO], i),
		    &ar->geocode[i]);
		cap_pop(c, old);
		if (rv != RM_OK)
			return rv;
		ar->n_geocode = i + 1;
	}
	if ((rv = height(c, &s[AR_ALT], "altitude", &ar->has_altitude,
	    &ar->altitude)) != RM_OK ||
	    (rv = height(c, &s[AR_CEIL], "ceiling", &ar->has_ceiling,
	    &ar->ceiling)) != RM_OK)
		return rv;
	if (ar->has_ceiling && !ar->has_altitude)
		return cap_fail_in(c, "ceiling", RM_EBADVALUE, "only with "
		    "<altitude> (CAP 1.2 §3.2.4)");
	return RM_OK;
}
