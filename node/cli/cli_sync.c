/*
 * cli_sync.c -- `riskmesh sync -c NODE.CONF PEER`: range-based set
 * reconciliation with one peer now (POST /v1/peers/{PEER}/sync,
 * docs/PROTOCOL.md §7a), then its progress until the session ends
 * (GET /v1/peers/{PEER}, five times a second, at most --timeout s):
 * rounds, bytes, records sent to the peer and records wanted from it,
 * on one line that a terminal redraws. Exit 0 when the session ended
 * without error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "node/cli/cli.h"

#define SYNC_POLL_MS 200

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The "reconcile" object of a peer answer; NULL if absent. */
static json_t *
reconcile_of(json_t *peer)
{
	json_t *r = json_object_get(peer, "reconcile");

	return json_is_object(r) ? r : NULL;
}

static void
progress(json_t *r, bool tty, bool last)
{
	if (!tty && !last)
		return;
	fprintf(tty ? stderr : stdout, "%s%lld rounds, %lld bytes, %lld "
	    "records sent, %lld wanted%s", tty ? "\r\033[K" : "",
	    cli_jint(r, "rounds"), cli_jint(r, "bytes"), cli_jint(r, "sent"),
	    cli_jint(r, "wanted"), last && tty ? "\n" : last ? "\n" : "");
	fflush(tty ? stderr : stdout);
}

static int
run_sync(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *peer = a->pos[0], *conf = cli_get(a, "config");
	const char *to = cli_get(a, "timeout");
	char seg[RM_AGENCY_ID_MAX * 3 + 1], path[RM_AGENCY_ID_MAX * 3 + 32];
	struct cli_http_res res;
	long long sessions, timeout_s = 300;
	bool tty = isatty(STDERR_FILENO);
	time_t deadline;
	json_t *j, *r;
	int rv;

	if (!agency_id_valid(peer))
		return cli_usage(c, "PEER: \"%.64s\" is not an agency id (%s)",
		    peer, RM_AGENCY_ID_RULE);
	if (to != NULL) {
		char *end;
		timeout_s = strtoll(to, &end, 10);
		if (*end != '\0' || timeout_s < 1 || timeout_s > 86400)
			return cli_usage(c, "--timeout: 1..86400 seconds");
	}
	if (cli_pct_encode(peer, seg, sizeof(seg)) != 0)
		return cli_usage(c, "PEER: too long");
	snprintf(path, sizeof(path), "/v1/peers/%s/sync", seg);
	if ((rv = cli_api_request(c, conf, "POST", path, NULL, &res)) != 0)
		return rv;
	if (res.status != 202) {
		rv = cli_api_report(c, &res);
		cli_http_res_fini(&res);
		return rv;
	}
	j = json_loads(res.body, 0, NULL);
	cli_http_res_fini(&res);
	sessions = cli_jint(reconcile_of(j), "sessions");
	json_decref(j);
	printf("reconciling with %s\n", peer);
	fflush(stdout);
	if (cli_has(a, "no-wait"))
		return CLI_EXIT_OK;
	snprintf(path, sizeof(path), "/v1/peers/%s", seg);
	deadline = time(NULL) + (time_t)timeout_s;
	for (;;) {
		if ((rv = cli_api_request(c, conf, "GET", path, NULL, &res))
		    != 0)
			return rv;
		if (res.status != 200) {
			rv = cli_api_report(c, &res);
			cli_http_res_fini(&res);
			return rv;
		}
		j = json_loads(res.body, 0, NULL);
		cli_http_res_fini(&res);
		if ((r = reconcile_of(j)) == NULL) {
			json_decref(j);
			return cli_fail(c, "the node's answer has no "
			    "\"reconcile\" object");
		}
		/* ours is done when it is neither running nor still
		 * requested (the 202 may come before the link's thread has
		 * started it: the last session's result is not ours), or
		 * another session, e.g. after a reconnect, came after it */
		if (!json_is_true(json_object_get(r, "running")) &&
		    !json_is_true(json_object_get(r, "requested")) &&
		    cli_jint(r, "sessions") >= sessions) {
			json_t *err = json_object_get(r, "error");
			progress(r, tty, true);
			if (json_is_string(err)) {
				rv = cli_fail(c, "reconciliation with %s "
				    "failed: %s %s", peer,
				    json_string_value(err), cli_jstr(r,
				    "reason"));
			} else {
				printf("reconciled with %s: %lld records "
				    "sent, %lld wanted, %lld rounds, %lld "
				    "bytes\n", peer, cli_jint(r, "sent"),
				    cli_jint(r, "wanted"), cli_jint(r,
				    "rounds"), cli_jint(r, "bytes"));
				rv = CLI_EXIT_OK;
			}
			json_decref(j);
			return rv;
		}
		progress(r, tty, false);
		json_decref(j);
		if (time(NULL) >= deadline)
			return cli_fail(c, "reconciliation with %s still "
			    "running after %lld s (see GET /v1/peers/%s)", peer,
			    timeout_s, peer);
		sleep_ms(SYNC_POLL_MS);
	}
}

static const struct cli_opt sync_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "timeout", 0, "S", 0, "give up waiting after S seconds (300)" },
	{ "no-wait", 0, NULL, 0, "start the session and return" },
	{ NULL, 0, NULL, 0, NULL }
};

const struct cli_cmd cli_sync = {
	"sync", "-c NODE.CONF PEER",
	"reconcile this node's records with a peer now (range-based)",
	"Starts a range-based set reconciliation with the peer link to PEER "
	"(docs/PROTOCOL.md §7a): both nodes end up holding every record "
	"either holds, whatever their version vectors say (a store restored "
	"from a backup, gaps, records of third origins). Shows rounds, bytes "
	"and records sent and wanted while it runs. The link must be up.",
	sync_opts, 1, 1, run_sync, NULL
};
