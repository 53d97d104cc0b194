/*
 * cli_device.c -- registered devices and reach over the node's HTTP
 * API (docs/COAP.md "Devices", docs/API.md):
 *   riskmesh device add -c NODE.CONF ID --area CODE [--psk-file F]
 *   riskmesh device list -c NODE.CONF [--json]
 *   riskmesh device remove -c NODE.CONF ID
 *   riskmesh alert reach -c NODE.CONF ID [--origin AGENCY] [--json]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/cli/cli.h"
#include "node/config/config.h"

#define PSK_FILE_MAX 4096

/* The key in file path: its bytes, one trailing newline (LF or CRLF)
 * dropped; the node checks the rest. Prints the error. */
static int
read_psk(const struct cli_cmd *c, const char *path, rm_buf *out)
{
	rm_why why;

	if (rm_file_read(path, PSK_FILE_MAX, out, &why) != RM_OK)
		return cli_fail_file(c, path, &why);
	if (out->len > 0 && out->data[out->len - 1] == '\n')
		out->len--;
	if (out->len > 0 && out->data[out->len - 1] == '\r')
		out->len--;
	if (rm_buf_cstr(out) != RM_OK || memchr(out->data, '\0', out->len))
		return cli_fail(c, "%s: the key must be text (%s)", path,
		    "16..64 printable ASCII characters");
	return CLI_EXIT_OK;
}

/* The device can only connect over coaps://: say so when the node has
 * no DTLS endpoint (config coaps_listen off). */
static void
warn_no_coaps(const char *conf)
{
	struct node_config cf;
	rm_why why;

	if (config_load(conf, &cf, &why) == RM_OK &&
	    strcmp(cf.coaps_listen, "off") == 0)
		fprintf(stderr, "riskmesh device add: warning: %s has "
		    "coaps_listen = off: the device cannot connect until the "
		    "node listens on coaps:// (set coaps_listen, restart)\n",
		    conf);
}

static int
run_add(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *pf = cli_get(a, "psk-file");
	struct cli_http_res res;
	rm_buf psk = RM_BUF_INIT;
	json_t *body, *j;
	char *text;
	int rv;

	if (pf != NULL && (rv = read_psk(c, pf, &psk)) != CLI_EXIT_OK)
		goto out;
	body = json_pack("{s:s,s:s}", "id", a->pos[0], "area",
	    cli_get(a, "area"));
	if (body != NULL && pf != NULL)
		json_object_set_new(body, "psk", json_string((char *)psk.data));
	text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL) {
		rv = cli_fail(c, "out of memory (or the key is not UTF-8 "
		    "text)");
		goto out;
	}
	rv = cli_api_request(c, cli_get(a, "config"), "POST", "/v1/devices",
	    text, &res);
	memset(text, 0, strlen(text));
	free(text);
	if (rv != 0)
		goto out;
	if (res.status != 201) {
		rv = cli_api_report(c, &res);
	} else if ((j = json_loads(res.body, 0, NULL)) == NULL) {
		rv = cli_fail(c, "HTTP 201 but not JSON: %.200s", res.body);
	} else {
		const char *k = cli_jstr(j, "psk");
		printf("registered device %s (area %s)\n", cli_jstr(j, "id"),
		    cli_jstr(j, "area"));
		if (pf == NULL && k[0] != '\0')
			printf("psk %s\n(shown once: configure the device with "
			    "identity %s and this key; the node never shows "
			    "it again)\n", k, cli_jstr(j, "id"));
		warn_no_coaps(cli_get(a, "config"));
		json_decref(j);
		rv = CLI_EXIT_OK;
	}
	if (res.body != NULL)
		memset(res.body, 0, res.len);
	cli_http_res_fini(&res);
out:
	if (psk.data != NULL)
		memset(psk.data, 0, psk.cap);
	rm_buf_fini(&psk);
	return rv;
}

static const struct cli_opt add_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "area", 0, "CODE", CLI_REQUIRED, "where the device is (GB/T 2260 "
	  "area code; its district, the first 6 digits, groups reach)" },
	{ "psk-file", 0, "F", 0, "the device's pre-shared key: a file "
	  "holding 16..64 printable ASCII characters (one trailing newline "
	  "ignored); without it the node makes a random key and prints it "
	  "once" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_device_add = {
	.name = "device add",
	.synopsis = "-c NODE.CONF ID --area CODE [--psk-file F]",
	.summary = "register a CoAP device's DTLS-PSK identity (POST "
	    "/v1/devices)",
	.details = "ID is the PSK identity the device sends in its DTLS "
	    "handshake: 1..64 characters of A-Z a-z 0-9 . _ -, not starting "
	    "with . or -. The node takes it at once (no restart).",
	.opts = add_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_add,
};

static int
run_list(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	json_t *j, *d;
	size_t i;
	int rv;

	if ((rv = cli_api_get(a, "/v1/devices", &res)) != CLI_API_BODY)
		return rv;
	if ((j = json_loads(res.body, 0, NULL)) == NULL) {
		rv = cli_fail(c, "HTTP 200 but not JSON: %.200s", res.body);
		cli_http_res_fini(&res);
		return rv;
	}
	printf("%-24s %-12s %-24s %s\n", "ID", "AREA", "ADDED", "RECEIPTS");
	json_array_foreach(json_object_get(j, "devices"), i, d)
		printf("%-24s %-12s %-24s %lld\n", cli_jstr(d, "id"),
		    cli_jstr(d, "area"), cli_jstr(d, "added"),
		    cli_jint(d, "receipts"));
	printf("%lld devices\n", cli_jint(j, "count"));
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static const struct cli_opt list_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "json", 0, NULL, 0, "print the JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_device_list = {
	.name = "device list",
	.synopsis = "-c NODE.CONF [--json]",
	.summary = "list registered devices, never their keys (GET "
	    "/v1/devices)",
	.opts = list_opts,
	.run = run_list,
};

/* "/PREFIX<id percent-encoded>SUFFIX"; usage error when it does not fit
 * or is a dot segment. */
static int
id_path(const struct cli_cmd *c, const char *pre, const char *id,
    const char *suf, char *out, size_t n)
{
	char enc[512];

	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0 ||
	    cli_pct_encode(id, enc, sizeof(enc)) != 0 ||
	    snprintf(out, n, "%s%s%s", pre, enc, suf) >= (int)n)
		return cli_usage(c, "bad id \"%.64s\"", id);
	return CLI_EXIT_OK;
}

static int
run_remove(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	struct cli_http_res res;
	char path[600];
	int rv;

	if ((rv = id_path(c, "/v1/devices/", a->pos[0], "", path,
	    sizeof(path))) != CLI_EXIT_OK)
		return rv;
	if ((rv = cli_api_request(c, cli_get(a, "config"), "DELETE", path,
	    NULL, &res)) != 0)
		return rv;
	if (res.status == 200) {
		printf("removed device %s\n", a->pos[0]);
		rv = CLI_EXIT_OK;
	} else {
		rv = cli_api_report(c, &res);
	}
	cli_http_res_fini(&res);
	return rv;
}

static const struct cli_opt remove_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_device_remove = {
	.name = "device remove",
	.synopsis = "-c NODE.CONF ID",
	.summary = "unregister a device: its next DTLS handshake fails "
	    "(DELETE /v1/devices/ID)",
	.opts = remove_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_remove,
};

static void
print_ms(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		printf(" %10lld", (long long)json_integer_value(v));
	else
		printf(" %10s", "-");
}

static void
print_row(const char *name, json_t *r)
{
	printf("%-10s %10lld %10lld", name, cli_jint(r, "registered"),
	    cli_jint(r, "receipts"));
	print_ms(r, "p50_ms");
	print_ms(r, "p99_ms");
	printf("\n");
}

static int
run_reach(const struct cli_args *a)
{
	const struct cli_cmd *c = a->cmd;
	const char *origin = cli_get(a, "origin");
	struct cli_http_res res;
	char path[900], enc[256];
	json_t *j, *r;
	size_t i;
	int rv;

	if ((rv = id_path(c, "/v1/alerts/", a->pos[0], "/reach", path,
	    sizeof(path) - 300)) != CLI_EXIT_OK)
		return rv;
	if (origin != NULL) {
		if (cli_pct_encode(origin, enc, sizeof(enc)) != 0)
			return cli_usage(c, "bad --origin");
		strcat(path, "?origin=");
		strcat(path, enc);
	}
	if ((rv = cli_api_get(a, path, &res)) != CLI_API_BODY)
		return rv;
	if ((j = json_loads(res.body, 0, NULL)) == NULL) {
		rv = cli_fail(c, "HTTP 200 but not JSON: %.200s", res.body);
		cli_http_res_fini(&res);
		return rv;
	}
	printf("alert %s %s\n", cli_jstr(j, "origin"), cli_jstr(j,
	    "object_id"));
	printf("%-10s %10s %10s %10s %10s\n", "DISTRICT", "REGISTERED",
	    "RECEIPTS", "P50_MS", "P99_MS");
	json_array_foreach(json_object_get(j, "districts"), i, r)
		print_row(cli_jstr(r, "district"), r);
	print_row("total", json_object_get(j, "total"));
	json_decref(j);
	cli_http_res_fini(&res);
	return CLI_EXIT_OK;
}

static const struct cli_opt reach_opts[] = {
	{ "config", 'c', "NODE.CONF", CLI_REQUIRED, "the node's config" },
	{ "origin", 0, "AGENCY", 0, "the issuing agency (default: the one "
	  "with an alert in force of that id, else this node's)" },
	{ "json", 0, NULL, 0, "print the JSON answer" },
	{ NULL, 0, NULL, 0, NULL },
};

const struct cli_cmd cli_alert_reach = {
	.name = "alert reach",
	.synopsis = "-c NODE.CONF ID [--origin AGENCY] [--json]",
	.summary = "how many registered devices confirmed an alert, per "
	    "district, and how fast (GET /v1/alerts/ID/reach)",
	.details = "Per district (a device's area cut to 6 digits): devices "
	    "registered whose area overlaps the alert's, devices that sent "
	    "a delivery receipt, and the 50th and 99th percentile of the "
	    "time from the alert's first broadcast on this node to the "
	    "receipt (ms; - when none).",
	.opts = reach_opts,
	.min_pos = 1,
	.max_pos = 1,
	.run = run_reach,
};
