/*
 * coap_area.c -- the server's table of area resources: which codes this
 * node serves (the served prefixes), lookup, creation on demand, and
 * eviction of the least recently requested unobserved resource when the
 * table is full (coap_srv.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/coap/coap_int.h"

int
csrv_served_init(struct alertcoap *c, const char *const *v, size_t n,
    rm_why *why)
{
	if (n == 0)
		return RM_OK;
	if (v == NULL)
		return rm_fail(why, RM_EINVAL, "coap.served: %zu prefixes "
		    "but no list", n);
	if (n > ALERTCOAP_AREAS_MAX)
		return rm_fail(why, RM_EINVAL, "coap.served: more than %d",
		    ALERTCOAP_AREAS_MAX);
	for (size_t i = 0; i < n; i++)
		if (v[i] == NULL || !area_code_valid(v[i]))
			return rm_fail(why, RM_EINVAL, "coap.served[%zu]: not "
			    "a GB/T 2260 area code", i);
	if ((c->served = calloc(n, sizeof(*c->served))) == NULL)
		return rm_fail(why, RM_ENOMEM, "coap: no memory");
	for (size_t i = 0; i < n; i++)
		snprintf(c->served[i], sizeof(c->served[i]), "%s", v[i]);
	c->n_served = n;
	return RM_OK;
}

bool
csrv_served(const struct alertcoap *c, const char *code)
{
	if (c->n_served == 0)
		return true;
	for (size_t i = 0; i < c->n_served; i++)
		if (area_contains(c->served[i], code))
			return true;
	return false;
}

coap_resource_t *
csrv_area_find(struct alertcoap *c, const char *code)
{
	char uri[sizeof(SRV_PREFIX) + RM_AREA_CODE_MAX];
	coap_str_const_t path;
	int n;

	n = snprintf(uri, sizeof(uri), SRV_PREFIX "%s", code);
	if (n < 0 || (size_t)n >= sizeof(uri))
		return NULL;
	path.s = (const uint8_t *)uri;
	path.length = (size_t)n;
	/* libcoap's hash of resources by path: /alerts/<code> is ours. */
	return coap_get_resource_from_uri_path(c->ctx, &path);
}

void
csrv_area_touch(struct alertcoap *c, coap_resource_t *r)
{
	struct srv_res *u = coap_resource_get_userdata(r);

	if (u != NULL)
		u->used = ++c->tick;
}

/* The table is full: one warning at first, then at most one a minute,
 * with what happened since the previous one. */
static void
srv_full_log(struct alertcoap *c, const char *code, bool evicted)
{
	rm_mono_ms now = rm_mono_now_ms();

	if (evicted)
		c->full_evicted++;
	else
		c->full_refused++;
	if (c->full_log_ms != 0 && now - c->full_log_ms < SRV_FULL_LOG_MS)
		return;
	rm_log(RM_LOG_WARN, SRV_TAG, "area table full (%d resources, %zu "
	    "pre-created): evicting the least recently requested resources "
	    "without observers; %llu evicted, %llu requests served without "
	    "a resource (nothing evictable) since the last message; "
	    "latest area %s", ALERTCOAP_AREAS_MAX, c->n_fixed,
	    (unsigned long long)c->full_evicted,
	    (unsigned long long)c->full_refused, code);
	c->full_log_ms = now != 0 ? now : 1;
	c->full_evicted = c->full_refused = 0;
}

/*
 * Evict the least recently requested on-demand resource that has no
 * observer; false if there is none. The tally can undercount (an
 * allocation failure), so libcoap has the last word: on a resource with
 * subscribers coap_resource_notify_observers() returns 1 (and sends them
 * the current set, which a device takes as an ordinary notification);
 * that resource is then kept and counted as just requested.
 */
static bool
srv_area_evict(struct alertcoap *c)
{
	for (int tries = 0; tries < 8; tries++) {
		size_t best = SIZE_MAX;
		uint64_t best_used = UINT64_MAX;
		struct srv_res *u;
		coap_resource_t *r;

		for (size_t i = c->n_fixed; i < c->n_areas; i++) {
			u = coap_resource_get_userdata(c->areas[i].r);
			if (u->fixed || u->n_obs > 0 || u->used >= best_used)
				continue;
			best = i;
			best_used = u->used;
		}
		if (best == SIZE_MAX)
			return false;
		r = c->areas[best].r;
		if (coap_resource_notify_observers(r, NULL)) {
			csrv_area_touch(c, r);
			continue;
		}
		rm_log(RM_LOG_DEBUG, SRV_TAG, "area %s: resource evicted",
		    c->areas[best].code);
		c->areas[best] = c->areas[--c->n_areas];
		coap_delete_resource(c->ctx, r);    /* frees u */
		atomic_fetch_add(&c->st_evicted, 1);
		return true;
	}
	return false;
}

coap_resource_t *
csrv_area_get(struct alertcoap *c, const char *code, bool fixed)
{
	coap_resource_t *r;
	struct srv_area *a;
	struct srv_res *u;
	bool evicted = false;

	if ((r = csrv_area_find(c, code)) != NULL)
		return r;
	if (c->n_areas >= ALERTCOAP_AREAS_MAX) {
		if (fixed || !(evicted = srv_area_evict(c))) {
			srv_full_log(c, code, false);
			return NULL;
		}
	}
	if (c->n_areas == c->cap_areas) {
		size_t cap = c->cap_areas ? 2 * c->cap_areas : 16;
		if ((a = realloc(c->areas, cap * sizeof(*a))) == NULL)
			return NULL;
		c->areas = a;
		c->cap_areas = cap;
	}
	if ((r = csrv_res_new(c, code)) == NULL)
		return NULL;
	u = coap_resource_get_userdata(r);
	u->fixed = fixed;
	u->used = ++c->tick;
	a = &c->areas[c->n_areas++];
	snprintf(a->code, sizeof(a->code), "%s", code);
	a->r = r;
	if (fixed)
		c->n_fixed++;
	atomic_store(&c->st_resources, c->n_areas);
	if (evicted)
		srv_full_log(c, code, true);
	return r;
}
