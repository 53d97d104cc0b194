/*
 * test_coap_fake.h -- an in-memory alert provider for the CoAP server
 * tests: hand-built rm_record alerts plus a stand-in COSE_Sign1 item
 * for each (the server only forwards the signed bytes).
 */
#ifndef RM_TEST_COAP_FAKE_H
#define RM_TEST_COAP_FAKE_H

#include <pthread.h>

#include "node/coap/coap_srv.h"

#define FAKE_MAX 256

struct fake_alert {
	rm_hash h;
	uint8_t *signed_bytes;
	size_t n_signed;
	struct rm_record rec;
	struct rm_alert alert;       /* rec.body */
	struct rm_alert_text texts[2];
};

struct fake {
	pthread_mutex_t mu;
	struct fake_alert *v[FAKE_MAX];
	size_t n;
	unsigned repeat;        /* hand each alert out this many times (>= 1) */
	int fail;               /* provider returns this when non-zero */
	unsigned calls;
};

/* What one alert says; NULL texts are left out. */
struct fake_spec {
	const char *oid;
	rm_grade grade;
	rm_cap_status status;
	const char *zh_event, *zh_headline;
	const char *en_event, *en_headline;
	const char *areas[4];   /* NULL-terminated */
	rm_utc_ms expires_ms;
	bool bad_signed;        /* signed bytes that are not a COSE_Sign1 */
};

void fake_init(struct fake *f);
void fake_fini(struct fake *f);
/* Add an alert (thread-safe); returns it (owned by f). */
struct fake_alert *fake_add(struct fake *f, const struct fake_spec *s);
/* The provider callback; arg is a struct fake *. */
int fake_alerts(void *arg, const char *area, rm_utc_ms now,
    alertcoap_each_fn each, void *ctx);
struct alertcoap_provider fake_provider(struct fake *f);

/* 2026-08-15T10:00:00Z and 22:00:00Z, in ms. */
#define FAKE_NOW_MS     1786788000000LL
#define FAKE_EXPIRES_MS 1786831200000LL

#endif
