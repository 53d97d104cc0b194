/*
 * devices_int.h -- private to node/devices/devices_*.c and devices.c: the registry object and
 * its open-addressing indexes.
 */
#ifndef RM_NODE_DEVICES_INT_H
#define RM_NODE_DEVICES_INT_H

#include <pthread.h>
#include <sys/types.h>

#include "node/devices/devices.h"

/* Open addressing over indexes into an array (slot = index + 1). */
struct dix {
	uint32_t *slot;
	size_t cap;                /* power of two, 0 = empty */
};
/* Index i with key hash h for which eq(ctx, i), or UINT32_MAX. */
uint32_t dix_find(const struct dix *x, uint64_t h,
    bool (*eq)(const void *ctx, uint32_t i), const void *ctx);
/* Add i (hash h); n = entries after the add; grows through hashof. */
int dix_put(struct dix *x, uint64_t h, uint32_t i, size_t n,
    uint64_t (*hashof)(const void *ctx, uint32_t i), const void *ctx);
void dix_fini(struct dix *x);
uint64_t dix_hash(const void *p, size_t n, uint64_t seed);

struct dev {
	char id[DEVICE_ID_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	uint8_t psk[DEVICE_PSK_MAX];
	size_t psk_len;
	rm_utc_ms added_ms;
};

struct dev_alert {                 /* an alert object with receipts */
	char origin[RM_AGENCY_ID_MAX + 1];
	char oid[RM_OBJECT_ID_MAX + 1];
};

struct dev_receipt {
	uint32_t alert;            /* index into alerts */
	char id[DEVICE_ID_MAX + 1];
	char area[RM_AREA_CODE_MAX + 1];
	int64_t delay_ms;
};

struct dev_bcast {
	rm_hash h;
	rm_utc_ms ms;
};

struct devices {
	pthread_mutex_t mu;
	char path[1100];           /* DIR/devices */
	char log_path[1100];       /* DIR/receipts.log */
	int log_fd;
	struct dev *dev;
	size_t n_dev, cap_dev;
	struct dix dev_ix;         /* by id */
	struct dev_alert *alerts;
	size_t n_alerts, cap_alerts;
	struct dix alert_ix;       /* by (origin, oid) */
	struct dev_receipt *rc;
	size_t n_rc, cap_rc;
	struct dix rc_ix;          /* by (id, alert) */
	struct dev_bcast *bc;
	size_t n_bc, cap_bc;
	struct dix bc_ix;          /* by hash */
	struct devices_stats st;
};

/* devices_receipts.c: replay the log (at open, before any thread). */
int dev_log_open(struct devices *d, rm_why *why);
/* Indexes of the registry (devices.c). */
ssize_t dev_find(const struct devices *d, const char *id, size_t n);
/* Grow *arr (of elem bytes) to hold need elements. */
int dev_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif /* RM_NODE_DEVICES_INT_H */
