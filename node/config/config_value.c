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
