/*
 * config_value.c -- parsers for single node.conf values (agency ids,
 * host:port, numbers, bools, peer lines) and the file syntax's comment
 * rule, the config directory and trimming, used by config.c. Agency ids
 * are checked by schemas' agency_id_valid, the one rule.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node/config/config.h"
#include "node/config/config_int.h"

/* "host:port" or "[v6]:port" with port 1..65535. */
bool
cfg_hostport_ok(const char *s)
{
	const char *colon;
	char *end;
	unsigned long port;

	if (s[0] == '[') {
		const char *rb = strchr(s, ']');
		if (rb == NULL || rb == s + 1 || rb[1] != ':')
			return false;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || colon == s ||
		    memchr(s, ':', (size_t)(colon - s)) != NULL)
			return false;
	}
	for (const char *p = s; p < colon; p++)
		if (*p == ' ' || *p == '\t' || *p == '/')
			return false;
	if (colon[1] < '0' || colon[1] > '9')
		return false;
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	return errno == 0 && *end == '\0' && port >= 1 && port <= 65535;
}

int
cfg_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

int
cfg_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int
cfg_parse_peer(const char *val, struct config_peer *p, rm_why *why)
{
	char buf[CONFIG_URL_MAX + RM_AGENCY_ID_MAX + 32];
	char *tok[4], *save = NULL, *s;
	size_t n = 0;
	const char *hp;

	if (strlen(val) >= sizeof(buf)) {
		rm_fail(why, RM_ECONFIG, "bad peer line: too long");
		return -1;
	}
	strcpy(buf, val);
	for (s = strtok_r(buf, " \t", &save); s != NULL && n < 4;
	    s = strtok_r(NULL, " \t", &save))
		tok[n++] = s;
	if (n != 3) {
		rm_fail(why, RM_ECONFIG, "bad peer line: expected \"ID dial|listen "
		    "URL\", got %zu word%s", n, n == 1 ? "" : "s");
		return -1;
	}
	if (!agency_id_valid(tok[0])) {
		rm_fail(why, RM_ECONFIG, "bad peer line: \"%.64s\" is not an agency "
		    "id", tok[0]);
		return -1;
	}
	if (strcmp(tok[1], "dial") != 0 && strcmp(tok[1], "listen") != 0) {
		rm_fail(why, RM_ECONFIG, "bad peer line: mode \"%.32s\" is not dial "
		    "or listen", tok[1]);
		return -1;
	}
	if (strncmp(tok[2], "tls+tcp://", 10) == 0)
		hp = tok[2] + 10;
	else if (strncmp(tok[2], "tcp://", 6) == 0)
		hp = tok[2] + 6;
	else {
		rm_fail(why, RM_ECONFIG, "bad peer line: URL \"%.64s\" must start "
		    "with tls+tcp:// or tcp://", tok[2]);
		return -1;
	}
	if (strlen(tok[2]) >= CONFIG_URL_MAX || !cfg_hostport_ok(hp)) {
		rm_fail(why, RM_ECONFIG, "bad peer line: URL \"%.64s\" needs "
		    "HOST:PORT with port 1..65535", tok[2]);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	strcpy(p->agency, tok[0]);
	p->listen = tok[1][0] == 'l';
	strcpy(p->url, tok[2]);
	return 0;
}


char *
cfg_comment_start(char *line)
{
	for (char *p = line; *p != '\0'; p++)
		if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t'))
			return p;
	return NULL;
}

int
cfg_value_carriable(const char *v, rm_why *why)
{
	size_t n = strlen(v);

	if (strpbrk(v, "\r\n") != NULL) {
		rm_fail(why, RM_ECONFIG, "value contains a line break");
		return -1;
	}
	if (n > 0 && (v[0] == ' ' || v[0] == '\t' || v[n - 1] == ' ' ||
	    v[n - 1] == '\t')) {
		rm_fail(why, RM_ECONFIG, "value starts or ends with whitespace "
		    "(node.conf trims it)");
		return -1;
	}
	if (v[0] == '#') {
		rm_fail(why, RM_ECONFIG, "value starts with '#' (node.conf reads "
		    "it as a comment)");
		return -1;
	}
	if (strstr(v, " #") != NULL || strstr(v, "\t#") != NULL) {
		rm_fail(why, RM_ECONFIG, "value contains whitespace followed by '#' "
		    "(node.conf reads a comment from there)");
		return -1;
	}
	return 0;
}

int
cfg_config_dir(const char *path, char *out, size_t n)
{
	char cwd[CONFIG_PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dl, cl = 0;

	dl = slash ? (size_t)(slash - path) : 0;
	if (slash == path)
		dl = 1;                         /* "/node.conf" */
	if (path[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return -1;
		while (dl >= 2 && path[0] == '.' && path[1] == '/') {
			path += 2;
			dl -= 2;
		}
		if (dl == 1 && path[0] == '.')
			dl = 0;
		cl = strlen(cwd);
	}
	if (cl + 1 + dl + 1 > n)
		return -1;
	if (cl > 0) {
		memcpy(out, cwd, cl);
		if (dl > 0 && cwd[cl - 1] != '/')
			out[cl++] = '/';
	}
	memcpy(out + cl, path, dl);
	out[cl + dl] = '\0';
	return 0;
}

char *
cfg_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
	    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

void
cfg_format_peer(const struct config_peer *p, char *out, size_t n)
{
	snprintf(out, n, "%s %s %s", p->agency, p->listen ? "listen" : "dial",
	    p->url);
}

/* Split val into at most max words (spaces and tabs) of a copy in buf;
 * returns the count (max + 1 when there are more). */
static size_t
words(const char *val, char *buf, size_t cap, char **tok, size_t max)
{
	char *save = NULL, *s;
	size_t n = 0;

	snprintf(buf, cap, "%s", val);
	for (s = strtok_r(buf, " \t", &save); s != NULL && n <= max;
	    s = strtok_r(NULL, " \t", &save))
		if (n < max)
			tok[n++] = s;
		else
			n++;
	return n;
}

int
cfg_parse_foreign(const char *val, const char *base,
    struct config_foreign *f, rm_why *why)
{
	char buf[CONFIG_PATH_MAX + CONFIG_AREAS_MAX + CONFIG_FED_NAME_MAX + 8];
	char *tok[3];
	struct config_foreign x;
	int k;

	memset(&x, 0, sizeof(x));
	if (strlen(val) >= sizeof(buf) ||
	    words(val, buf, sizeof(buf), tok, 3) != 3) {
		rm_fail(why, RM_ECONFIG, "expected \"NAME ROOT_CERT "
		    "AREA[,AREA...]\"");
		return -1;
	}
	if (strlen(tok[0]) > CONFIG_FED_NAME_MAX) {
		rm_fail(why, RM_ECONFIG, "federation name longer than %d "
		    "bytes", CONFIG_FED_NAME_MAX);
		return -1;
	}
	if (strlen(tok[2]) >= sizeof(x.areas) ||
	    strspn(tok[2], "0123456789,") != strlen(tok[2])) {
		rm_fail(why, RM_ECONFIG, "areas \"%.64s\": area codes separated "
		    "by commas", tok[2]);
		return -1;
	}
	strcpy(x.name, tok[0]);
	strcpy(x.areas, tok[2]);
	if (tok[1][0] != '/' && base != NULL)
		k = snprintf(x.root_file, sizeof(x.root_file), "%s/%s", base,
		    tok[1]);
	else
		k = snprintf(x.root_file, sizeof(x.root_file), "%s", tok[1]);
	if (k < 0 || (size_t)k >= sizeof(x.root_file)) {
		rm_fail(why, RM_ECONFIG, "root path too long");
		return -1;
	}
	*f = x;
	return 0;
}

int
cfg_parse_gateway(const char *val, struct config_gateway *g, rm_why *why)
{
	char buf[CONFIG_URL_MAX + CONFIG_POLICY_MAX + 160];
	char *tok[24], line[CONFIG_URL_MAX + RM_AGENCY_ID_MAX + 16];
	struct config_gateway x;
	size_t n, off = 0;

	memset(&x, 0, sizeof(x));
	if (strlen(val) >= sizeof(buf)) {
		rm_fail(why, RM_ECONFIG, "gateway line too long");
		return -1;
	}
	n = words(val, buf, sizeof(buf), tok, 23);
	if (n < 5 || n > 23) {
		rm_fail(why, RM_ECONFIG, "expected \"ID dial|listen URL "
		    "FEDERATION kinds=K[,K] [areas=...] [grade=G] "
		    "[agencies=...]\"");
		return -1;
	}
	snprintf(line, sizeof(line), "%s %s %s", tok[0], tok[1], tok[2]);
	if (cfg_parse_peer(line, &x.peer, why) != 0)
		return -1;
	if (strlen(tok[3]) > CONFIG_FED_NAME_MAX) {
		rm_fail(why, RM_ECONFIG, "federation name longer than %d "
		    "bytes", CONFIG_FED_NAME_MAX);
		return -1;
	}
	strcpy(x.federation, tok[3]);
	for (size_t i = 4; i < n; i++) {
		int k = snprintf(x.policy + off, sizeof(x.policy) - off, "%s%s",
		    i > 4 ? " " : "", tok[i]);

		if (k < 0 || (size_t)k >= sizeof(x.policy) - off) {
			rm_fail(why, RM_ECONFIG, "policy longer than %d bytes",
			    CONFIG_POLICY_MAX - 1);
			return -1;
		}
		off += (size_t)k;
	}
	*g = x;
	return 0;
}
