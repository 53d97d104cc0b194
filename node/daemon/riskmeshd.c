/*
 * riskmeshd.c -- the riskmesh node daemon (docs/OPERATIONS.md).
 *
 *   riskmeshd -c FILE        run in the foreground, log to stderr
 *   riskmeshd -c FILE -n     check the config and the key, CA, roster and
 *                            TLS files, then exit 0 (ok) or 1
 *   riskmeshd -c FILE -v     print the effective config (secrets hidden)
 *   riskmeshd --help | --version
 *
 * SIGINT and SIGTERM stop the node cleanly (exit 0); they are blocked in
 * every thread and taken with sigwait() on the main thread. SIGPIPE is
 * ignored.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/rm_version.h"
#include "node/daemon/daemon.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: riskmeshd -c FILE [-n] [-v]\n"
	    "       riskmeshd --help | --version\n"
	    "\n"
	    "  -c FILE    node configuration (key = value lines)\n"
	    "  -n         check the configuration and the key, CA, roster and\n"
	    "             TLS files, then exit 0 (ok) or 1\n"
	    "  -v         print the effective configuration (secrets hidden)\n"
	    "             and exit\n"
	    "  --help     this text and the configuration keys\n"
	    "  --version  print the version\n");
}

static void
describe_key(void *arg, const char *key, const char *type, const char *dflt,
    const char *help)
{
	(void)arg;
	if (dflt == NULL || dflt[0] == '\0')
		printf("  %-17s %-10s %s\n", key, type, help);
	else if (strcmp(dflt, "required") == 0)
		printf("  %-17s %-10s %s (required)\n", key, type, help);
	else
		printf("  %-17s %-10s %s (default %s)\n", key, type, help,
		    dflt);
}

/* Line of the first `key = …` in the config file whose value starts
 * with the word val (any value if val is NULL), 0 if none. */
static int
key_line(const char *path, const char *key, const char *val)
{
	char line[4096];
	size_t kl = strlen(key);
	int no = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line;

		no++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, kl) != 0)
			continue;
		p += kl;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (val == NULL || (strncmp(p, val, strlen(val)) == 0 &&
		    (p[strlen(val)] == ' ' || p[strlen(val)] == '\t'))) {
			fclose(f);
			return no;
		}
	}
	fclose(f);
	return 0;
}

static int
check(const char *path, const struct node_config *cfg)
{
	const char *key = "", *val = NULL;
	rm_why why;

	if (node_check(cfg, &key, &val, &why) != RM_OK) {
		fprintf(stderr, "%s:%d: %s: %s\n", path,
		    key_line(path, key, val), key, why.msg);
		return 1;
	}
	fprintf(stderr, "%s: configuration OK (agency %s, %zu peer%s)\n",
	    path, cfg->agency, cfg->n_peers, cfg->n_peers == 1 ? "" : "s");
	return 0;
}

/*
 * Shutdown watchdog. A clean stop answers in-flight HTTP requests, closes
 * the peer links, the CoAP server and the store. Everything acknowledged
 * is already committed, so if a library wedges while closing (nng 1.5 can
 * wait forever for a TLS pipe whose send never completes), leaving
 * without the rest loses nothing: after SHUTDOWN_LIMIT_S the process
 * exits with status 1 and says so, instead of hanging until a supervisor
 * kills it.
 */
#define SHUTDOWN_LIMIT_S 20

static void *
shutdown_watchdog(void *arg)
{
	struct timespec ts = { SHUTDOWN_LIMIT_S, 0 };

	(void)arg;
	while (nanosleep(&ts, &ts) != 0)
		;
	rm_log(RM_LOG_ERR, "node", "shutdown did not finish in %d s; exiting "
	    "(all acknowledged records are committed)", SHUTDOWN_LIMIT_S);
	_exit(1);
}

static int
run(const struct node_config *cfg, const sigset_t *sigs)
{
	pthread_t watchdog;
	static struct node n;
	char http[160];
	rm_why why;
	int sig;

	rm_log(RM_LOG_INFO, "node", "riskmeshd %s starting, agency %s",
	    RM_VERSION, cfg->agency);
	if (node_start(&n, cfg, &why) != RM_OK) {
		rm_log(RM_LOG_ERR, "node", "start-up failed: %s", why.msg);
		return 1;
	}
	node_http_addr(&n, http, sizeof(http));
	/* tests and scripts wait for "ready" (fields may follow it) */
	rm_log(RM_LOG_NOTICE, "node", "ready http=%s coap=%s coaps=%s "
	    "peers=%zu gateways=%zu", http,
	    n.coap != NULL ? cfg->coap_listen : "off",
	    n.coap != NULL ? cfg->coaps_listen : "off", cfg->n_peers,
	    cfg->n_gateways);
	for (;;) {
		if (sigwait(sigs, &sig) != 0)
			continue;
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	rm_log(RM_LOG_NOTICE, "node", "%s: stopping",
	    sig == SIGINT ? "SIGINT" : "SIGTERM");
	if (pthread_create(&watchdog, NULL, shutdown_watchdog, NULL) == 0)
		pthread_detach(watchdog);
	node_stop(&n);
	rm_log(RM_LOG_NOTICE, "node", "stopped");
	return 0;
}

int
main(int argc, char **argv)
{
	struct node_config cfg;
	const char *path = NULL;
	bool check_only = false, print = false;
	sigset_t sigs;
	rm_why why;
	int rv;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			printf("\nconfiguration keys:\n");
			config_describe(describe_key, NULL);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("riskmeshd %s\n", RM_VERSION);
			return 0;
		} else if (strcmp(argv[i], "-c") == 0) {
			if (i + 1 == argc || argv[i + 1][0] == '\0' ||
			    argv[i + 1][0] == '-') {
				fprintf(stderr, "riskmeshd: -c: missing FILE\n");
				usage(stderr);
				return 1;
			}
			path = argv[++i];
		} else if (strcmp(argv[i], "-n") == 0) {
			check_only = true;
		} else if (strcmp(argv[i], "-v") == 0) {
			print = true;
		} else if (strcmp(argv[i], "-nv") == 0 ||
		    strcmp(argv[i], "-vn") == 0) {
			check_only = print = true;
		} else {
			fprintf(stderr, "riskmeshd: unknown argument \"%s\"\n",
			    argv[i]);
			usage(stderr);
			return 1;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "riskmeshd: -c FILE is required\n");
		usage(stderr);
		return 1;
	}

	/* Before any thread exists: the signals are taken by sigwait(). */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
		fprintf(stderr, "riskmeshd: cannot block signals\n");
		return 1;
	}

	if ((rv = config_load(path, &cfg, &why)) != RM_OK) {
		if (check_only || print)
			fprintf(stderr, "%s\n", why.msg);
		else
			rm_log(RM_LOG_ERR, "node", "start-up failed: %s",
			    why.msg);
		return 1;
	}
	rm_log_set_level(cfg.log_level);
	if (print)
		config_write(&cfg, stdout, false, false);
	if (check_only)
		return check(path, &cfg);
	if (print)
		return 0;
	return run(&cfg, &sigs);
}
