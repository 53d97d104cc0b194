/*
 * config_int.h -- node/config*.c internals: value parsers shared by the
 * config table (config.c) and implemented in config_value.c.
 */
#ifndef RM_NODE_CONFIG_INT_H
#define RM_NODE_CONFIG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/config/config.h"

/* Agency id: 1..RM_AGENCY_ID_MAX of a-z 0-9 . - _, starting a-z0-9. */
/* "host:port" or "[v6]:port", port 1..65535. */
bool cfg_hostport_ok(const char *s);
/* Decimal unsigned, no sign or spaces; -1 if bad or over 2^64-1. */
int cfg_parse_u64(const char *s, uint64_t *out);
/* yes/no, true/false, on/off, 1/0; -1 otherwise. */
int cfg_parse_bool(const char *s, bool *out);
/* "ID dial|listen URL" into p; -1 with the reason in why. */
int cfg_parse_peer(const char *val, struct config_peer *p, rm_why *why);

/* "ID dial|listen URL" of p into out[n]. */
void cfg_format_peer(const struct config_peer *p, char *out, size_t n);
/* "NAME ROOT AREAS" into f (ROOT resolved against base when relative
 * and base is non-NULL); -1 with the reason in why. */
int cfg_parse_foreign(const char *val, const char *base,
    struct config_foreign *f, rm_why *why);
/* "ID dial|listen URL FEDERATION POLICY..." into g (the policy's words
 * joined by single spaces, checked by riskmeshd); -1 with the reason. */
int cfg_parse_gateway(const char *val, struct config_gateway *g,
    rm_why *why);

/* The comment of a line: its first '#' that begins the line or follows
 * a space or tab; NULL if none ("a#b" has no comment). */
char *cfg_comment_start(char *line);
/* 0 if v, written as "key = v", reads back as v: no CR/LF, no leading or
 * trailing space/tab, not starting with '#', no space/tab before '#';
 * else -1 with the reason in why. */
int cfg_value_carriable(const char *v, rm_why *why);

/* Absolute directory of the config file path (relative: against the
 * cwd, leading "./" dropped) into out[n]; -1 if it does not fit. */
int cfg_config_dir(const char *path, char *out, size_t n);
/* Strip spaces and tabs at both ends, and CR/LF at the end, in place;
 * returns the first kept character. */
char *cfg_trim(char *s);

#endif /* RM_NODE_CONFIG_INT_H */
