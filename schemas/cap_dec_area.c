/*
 * cap_dec_area.c -- strict decoding of the CBOR form of a CAP 1.2
 * <area> (polygons vertex for vertex, circles, geocodes, altitude,
 * ceiling), a <resource> and the valueName/value pairs (cap_dec.c reads
 * the rest).
 */
#include <stdio.h>
#include <string.h>

#include "schemas/cap_int.h"

#define TRY(x)                                                           \
	do {                                                             \
		if ((rv = (x)) != RM_OK)                                 \
			return rv;                                       \
	} while (0)

int
cap_dec_pairs(struct cap_dec *d, struct cap_pair **out, size_t *n)
{
	size_t old;
	int rv;

	TRY(cap_dec_arr(d, CAP_MODEL_LIST_MAX, sizeof(**out), n, (void **)out));
	for (size_t i = 0; i < *n; i++) {
		old = cap_dec_push_idx(d, i);
		TRY(cap_dec_tuple(d, 2));
		TRY(cap_dec_str(d, &(*out)[i].name));
		TRY(cap_dec_str(d, &(*out)[i].value));
		d->f[old] = '\0';
	}
	return RM_OK;
}

static int
point(struct cap_dec *d, struct cap_point *p)
{
	int rv;

	TRY(cap_num_decode(d->rd, d->f, &p->lat, d->why));
	return cap_num_decode(d->rd, d->f, &p->lon, d->why);
}

static int
polygons(struct cap_dec *d, struct cap_area *ar)
{
	size_t old, n;
	int rv;

	TRY(cap_dec_arr(d, CAP_MODEL_SHAPE_MAX, sizeof(*ar->polygon), &ar->n_polygon,
	    (void **)&ar->polygon));
	for (size_t i = 0; i < ar->n_polygon; i++) {
		struct cap_polygon *pg = &ar->polygon[i];

		old = cap_dec_push_idx(d, i);
		TRY(cap_dec_arr(d, 2 * CAP_MODEL_VERTEX_MAX, 1, &n, NULL));
		if (n % 2 != 0)
			return rm_fail(d->why, RM_EBADVALUE, "%s: %zu numbers, "
			    "expected lat, lon pairs", d->f, n);
		pg->n = n / 2;
		if ((pg->pts = cap_alloc(d->a, pg->n, sizeof(*pg->pts))) == NULL)
			return rm_fail(d->why, RM_ENOMEM, "out of memory");
		for (size_t j = 0; j < pg->n; j++)
			TRY(point(d, &pg->pts[j]));
		d->f[old] = '\0';
	}
	return RM_OK;
}

int
cap_dec_area(struct cap_dec *d, void *item)
{
	struct cap_area *ar = item;
	rm_cbor_keys keys;
	size_t n, old;
	int rv, k;

	TRY(sch_dec_map(d->rd, d->f, &n, d->why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		TRY(sch_dec_key(d->rd, &keys, d->f, cap_area_keys, CR_COUNT,
		    &k, d->why));
		old = cap_dec_push_key(d, cap_area_keys[k]);
		switch (k) {
		case CR_CIRCLE:
			TRY(cap_dec_arr(d, CAP_MODEL_SHAPE_MAX, sizeof(*ar->circle),
			    &ar->n_circle, (void **)&ar->circle));
			for (size_t j = 0; j < ar->n_circle; j++) {
				TRY(cap_dec_tuple(d, 3));
				TRY(point(d, &ar->circle[j].centre));
				TRY(cap_num_decode(d->rd, d->f,
				    &ar->circle[j].radius_km, d->why));
			}
			break;
		case CR_CEILING:
			ar->has_ceiling = true;
			TRY(cap_num_decode(d->rd, d->f, &ar->ceiling, d->why));
			break;
		case CR_GEOCODE:
			TRY(cap_dec_pairs(d, &ar->geocode, &ar->n_geocode));
			break;
		case CR_POLYGON:
			TRY(polygons(d, ar));
			break;
		case CR_ALTITUDE:
			ar->has_altitude = true;
			TRY(cap_num_decode(d->rd, d->f, &ar->altitude, d->why));
			break;
		default:
			TRY(cap_dec_str(d, &ar->desc));
		}
		d->f[old] = '\0';
	}
	return RM_OK;
}

int
cap_dec_resource(struct cap_dec *d, void *item)
{
	struct cap_resource *r = item;
	char **s[CS_COUNT] = {
		[CS_URI] = &r->uri, [CS_DIGEST] = &r->digest,
		[CS_DEREFURI] = &r->deref_uri, [CS_MIMETYPE] = &r->mime_type,
		[CS_DESC] = &r->desc,
	};
	rm_cbor_keys keys;
	size_t n, old;
	int rv, k;

	TRY(sch_dec_map(d->rd, d->f, &n, d->why));
	rm_cbor_keys_init(&keys);
	for (size_t i = 0; i < n; i++) {
		TRY(sch_dec_key(d->rd, &keys, d->f, cap_res_keys, CS_COUNT, &k,
		    d->why));
		old = cap_dec_push_key(d, cap_res_keys[k]);
		if (k == CS_SIZE) {
			r->has_size = true;
			TRY(sch_dec_uint(d->rd, d->f, &r->size, d->why));
		} else {
			TRY(cap_dec_str(d, s[k]));
		}
		d->f[old] = '\0';
	}
	return RM_OK;
}
