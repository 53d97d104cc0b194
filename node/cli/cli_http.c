/*
 * cli_http.c -- the CLI's HTTP client: one request to a node's JSON API
 * (docs/API.md) with nng's HTTP client. The only CLI file that sees nng.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "node/cli/cli.h"

#define CLI_HTTP_TIMEOUT_MS 15000
#define CLI_HTTP_BODY_MAX   (16u << 20)

/* http_listen "0.0.0.0:8080" is dialled as 127.0.0.1, "[::]:p" as [::1]. */
static void
dial_host(const char *listen, char *out, size_t n)
{
	if (strncmp(listen, "0.0.0.0:", 8) == 0)
		snprintf(out, n, "127.0.0.1%s", listen + 7);
	else if (strncmp(listen, "[::]:", 5) == 0)
		snprintf(out, n, "[::1]%s", listen + 4);
	else if (strncmp(listen, "*:", 2) == 0)
		snprintf(out, n, "127.0.0.1%s", listen + 1);
	else
		snprintf(out, n, "%s", listen);
}

int
cli_http(const char *listen, const char *token, const char *method,
    const char *path, const char *body, struct cli_http_res *out,
    rm_why *why)
{
	return cli_http_send(listen, token, method, path, "application/json",
	    body, body != NULL ? strlen(body) : 0, out, why);
}

int
cli_http_send(const char *listen, const char *token, const char *method,
    const char *path, const char *ctype, const void *body, size_t body_len,
    struct cli_http_res *out, rm_why *why)
{
	char host[300], urls[1400], auth[160];
	nng_url *url = NULL;
	nng_http_client *cli = NULL;
	nng_http_req *req = NULL;
	nng_http_res *res = NULL;
	nng_aio *aio = NULL;
	void *data;
	size_t len;
	int nrv, rv = RM_OK;

	dial_host(listen, host, sizeof(host));
	snprintf(urls, sizeof(urls), "http://%s%s", host, path);
	snprintf(auth, sizeof(auth), "Bearer %s", token);
	if ((nrv = nng_url_parse(&url, urls)) != 0) {
		rv = rm_fail(why, RM_EINVAL, "%s: %s", urls, nng_strerror(nrv));
		goto fail;
	}
	if ((nrv = nng_http_client_alloc(&cli, url)) != 0 ||
	    (nrv = nng_http_req_alloc(&req, url)) != 0 ||
	    (nrv = nng_http_res_alloc(&res)) != 0 ||
	    (nrv = nng_aio_alloc(&aio, NULL, NULL)) != 0 ||
	    /* nng_url_parse decodes the path; send it as encoded. */
	    (nrv = nng_http_req_set_uri(req, path)) != 0 ||
	    (nrv = nng_http_req_set_method(req, method)) != 0 ||
	    (nrv = nng_http_req_set_header(req, "Authorization", auth)) != 0 ||
	    (nrv = nng_http_req_set_header(req, "Accept",
	    "application/json")) != 0) {
		rv = rm_fail(why, RM_ENOMEM, "%s: %s", urls, nng_strerror(nrv));
		goto fail;
	}
	if (body != NULL &&
	    ((nrv = nng_http_req_set_header(req, "Content-Type",
	    ctype)) != 0 ||
	    (nrv = nng_http_req_copy_data(req, body, body_len)) != 0)) {
		rv = rm_fail(why, RM_ENOMEM, "%s: %s", urls, nng_strerror(nrv));
		goto fail;
	}
	nng_aio_set_timeout(aio, CLI_HTTP_TIMEOUT_MS);
	nng_http_client_transact(cli, req, res, aio);
	nng_aio_wait(aio);
	if ((nrv = nng_aio_result(aio)) != 0) {
		rv = rm_fail(why, nrv == NNG_ETIMEDOUT ? RM_ETIMEDOUT : RM_ENET,
		    "cannot reach riskmeshd at http://%s (http_listen): %s",
		    host, nng_strerror(nrv));
		goto fail;
	}
	nng_http_res_get_data(res, &data, &len);
	if (len > CLI_HTTP_BODY_MAX) {
		rv = rm_fail(why, RM_ETOOBIG, "%s: response over %u bytes",
		    urls, CLI_HTTP_BODY_MAX);
		goto fail;
	}
	if ((out->body = malloc(len + 1)) == NULL) {
		rv = rm_fail(why, RM_ENOMEM, "out of memory");
		goto fail;
	}
	if (len > 0)
		memcpy(out->body, data, len);
	out->body[len] = '\0';
	out->len = len;
	out->status = nng_http_res_get_status(res);
fail:
	if (aio != NULL)
		nng_aio_free(aio);
	if (res != NULL)
		nng_http_res_free(res);
	if (req != NULL)
		nng_http_req_free(req);
	if (cli != NULL)
		nng_http_client_free(cli);
	if (url != NULL)
		nng_url_free(url);
	memset(auth, 0, sizeof(auth));
	return rv;
}

void
cli_http_res_fini(struct cli_http_res *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}

int
cli_pct_encode(const char *s, char *out, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~') {
			if (o + 1 >= n)
				return -1;
			out[o++] = (char)ch;
			continue;
		}
		if (o + 3 >= n)
			return -1;
		out[o++] = '%';
		out[o++] = hex[ch >> 4];
		out[o++] = hex[ch & 0xf];
	}
	if (o >= n)
		return -1;
	out[o] = '\0';
	return 0;
}
