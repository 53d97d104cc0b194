/*
 * config_value.c -- parsers for single node.conf values (agency ids,
 * host:port, numbers, bools, peer lines), used by the table in config.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/config.h"
#include "node/config_int.h"

bool
cfg_agency_id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > RM_AGENCY_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ((ch == '.' || ch == '-' || ch == '_') && i > 0)))
			return false;
	}
	return true;
}

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
cfg_parse_peer(const char *val, struct config_peer *p, char *why, size_t wl)
{
	char buf[CONFIG_URL_MAX + RM_AGENCY_ID_MAX + 32];
	char *tok[4], *save = NULL, *s;
	size_t n = 0;
	const char *hp;

	if (strlen(val) >= sizeof(buf)) {
		snprintf(why, wl, "bad peer line: too long");
		return -1;
	}
	strcpy(buf, val);
	for (s = strtok_r(buf, " \t", &save); s != NULL && n < 4;
	    s = strtok_r(NULL, " \t", &save))
		tok[n++] = s;
	if (n != 3) {
		snprintf(why, wl, "bad peer line: expected \"ID dial|listen "
		    "URL\", got %zu word%s", n, n == 1 ? "" : "s");
		return -1;
	}
	if (!cfg_agency_id_ok(tok[0])) {
		snprintf(why, wl, "bad peer line: \"%.64s\" is not an agency "
		    "id", tok[0]);
		return -1;
	}
	if (strcmp(tok[1], "dial") != 0 && strcmp(tok[1], "listen") != 0) {
		snprintf(why, wl, "bad peer line: mode \"%.32s\" is not dial "
		    "or listen", tok[1]);
		return -1;
	}
	if (strncmp(tok[2], "tls+tcp://", 10) == 0)
		hp = tok[2] + 10;
	else if (strncmp(tok[2], "tcp://", 6) == 0)
		hp = tok[2] + 6;
	else {
		snprintf(why, wl, "bad peer line: URL \"%.64s\" must start "
		    "with tls+tcp:// or tcp://", tok[2]);
		return -1;
	}
	if (strlen(tok[2]) >= CONFIG_URL_MAX || !cfg_hostport_ok(hp)) {
		snprintf(why, wl, "bad peer line: URL \"%.64s\" needs "
		    "HOST:PORT with port 1..65535", tok[2]);
		return -1;
	}
	memset(p, 0, sizeof(*p));
	strcpy(p->agency, tok[0]);
	p->listen = tok[1][0] == 'l';
	strcpy(p->url, tok[2]);
	return 0;
}

