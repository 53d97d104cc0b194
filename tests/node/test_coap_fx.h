/*
 * test_coap_fx.h -- fixture shared by the CoAP server tests that run
 * against the real libcoap client (coap-client-openssl) on 127.0.0.1:
 * one server per test program, fed by the fake provider, and helpers
 * that run the client and wait for what it prints.
 */
#ifndef RM_TEST_COAP_FX_H
#define RM_TEST_COAP_FX_H

#include <stdbool.h>
#include <sys/types.h>

#include "test_coap_fake.h"

#define FX_CLIENT "/usr/bin/coap-client-openssl"

extern struct fake fx_fake;
extern struct alertcoap *fx_srv;   /* NULL when start failed */
extern unsigned fx_port;

/* Make the temporary directory, fill the fake provider with the base
 * alerts (a red typhoon on 120116, a blue fog on 120101) and start the
 * server on a free port with `o` (host, provider and port filled in
 * here); CUnit-fatal on failure. */
void fx_start(struct alertcoap_opts *o);
/* Stop the server, free the provider, remove the directory. */
void fx_stop(void);

void fx_sleep_ms(long ms);

struct fx_run {
	pid_t pid;
	char path[128];
};

/* Start the client (NULL-terminated arguments) with its stdout and
 * stderr in a file; 0 or -1. */
int fx_client_start(struct fx_run *r, const char *arg, ...);
/* Wait at most timeout_ms for it to exit (then kill it); returns what
 * it printed (malloc'd, NUL-terminated); *status -1 if killed. */
char *fx_client_wait(struct fx_run *r, long timeout_ms, int *status);
/* Wait at most timeout_ms until the client printed `text`, then kill
 * it; returns what it printed (malloc'd). */
char *fx_client_until(struct fx_run *r, const char *text, long timeout_ms);

/* "coap://127.0.0.1:<port><path>" */
void fx_uri(char *out, size_t n, const char *path);
/* GET path with the given Accept (NULL: none); returns the output. */
char *fx_get(const char *path, const char *accept);
/* GET path into a file; its bytes in out (rm_file_read's result). */
int fx_get_file(const char *path, const char *accept, rm_buf *out);

/* Wait until the stats field (a member of *st) equals want (or is at
 * least want), polling alertcoap_get_stats(); false on timeout. */
bool fx_wait_stat(uint64_t *field, struct alertcoap_stats *st,
    uint64_t want, bool at_least, long timeout_ms);

/* Add an Actual-or-given-status alert with zh and en texts. */
struct fake_alert *fx_add_alert(const char *oid, rm_grade g,
    rm_cap_status status, const char *zh, const char *en,
    const char *area1, const char *area2);

/* Number of non-overlapping occurrences of needle in hay. */
size_t fx_count(const char *hay, const char *needle);

#endif
