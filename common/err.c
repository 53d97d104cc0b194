/*
 * err.c -- the project's error names and the rm_why diagnostic.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/common.h"

static const struct {
	const char *name;
	const char *text;
} err_table[RM_ERR_COUNT] = {
	[RM_OK] = { "OK", "success" },
	[RM_ENOMEM] = { "ENOMEM", "out of memory" },
	[RM_EINVAL] = { "EINVAL", "invalid argument" },
	[RM_ETOOBIG] = { "ETOOBIG", "exceeds limit" },
	[RM_EMALFORMED] = { "EMALFORMED", "malformed input" },
	[RM_ENONCANON] = { "ENONCANON", "non-canonical encoding" },
	[RM_EMISSING] = { "EMISSING", "required field missing" },
	[RM_EBADVALUE] = { "EBADVALUE", "invalid field value" },
	[RM_EUNKNOWN] = { "EUNKNOWN", "unknown field or type" },
	[RM_EBADSIG] = { "EBADSIG", "bad signature" },
	[RM_EUNKNOWNSIGNER] = { "EUNKNOWNSIGNER", "signer not in roster" },
	[RM_EUNAUTH] = { "EUNAUTH", "not authorised" },
	[RM_ENOTFOUND] = { "ENOTFOUND", "not found" },
	[RM_EEXIST] = { "EEXIST", "already exists" },
	[RM_EFORK] = { "EFORK", "log fork (two records with one seq), or "
	    "its origin is held until the fork is resolved" },
	[RM_EGAP] = { "EGAP", "log chain gap or prev mismatch" },
	[RM_EIO] = { "EIO", "I/O error" },
	[RM_ESTORE] = { "ESTORE", "storage error" },
	[RM_ECRYPTO] = { "ECRYPTO", "cryptographic library error" },
	[RM_ECONFIG] = { "ECONFIG", "configuration error" },
	[RM_ENET] = { "ENET", "network error" },
	[RM_ETIMEDOUT] = { "ETIMEDOUT", "timed out" },
	[RM_ECLOSED] = { "ECLOSED", "closed" },
	[RM_EPROTO] = { "EPROTO", "protocol violation" },
	[RM_EBUSY] = { "EBUSY", "busy, retry" },
	[RM_EEXPIRED] = { "EEXPIRED", "expired" },
	[RM_EUNSUPPORTED] = { "EUNSUPPORTED", "unsupported format or media "
	    "type" },
};

const char *
rm_strerror(int err)
{
	if (err < 0 || err >= RM_ERR_COUNT || err_table[err].text == NULL)
		return "unknown error";
	return err_table[err].text;
}

const char *
rm_errname(int err)
{
	if (err < 0 || err >= RM_ERR_COUNT || err_table[err].name == NULL)
		return "EUNKNOWNERR";
	return err_table[err].name;
}

int
rm_fail(rm_why *why, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL) {
		va_start(ap, fmt);
		vsnprintf(why->msg, sizeof(why->msg), fmt, ap);
		va_end(ap);
		why->field[0] = '\0';
	}
	return err;
}

int
rm_fail_at(rm_why *why, int err, const char *path, const char *fmt, ...)
{
	va_list ap;
	size_t k, off = 0;

	if (why == NULL)
		return err;
	if (path == NULL)
		path = "";
	k = strcspn(path, ".[");
	if (k >= sizeof(why->field))
		k = sizeof(why->field) - 1;
	memcpy(why->field, path, k);
	why->field[k] = '\0';
	if (path[k] != '\0')
		off = (size_t)snprintf(why->msg, sizeof(why->msg), "%s: ", path);
	if (off >= sizeof(why->msg))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(why->msg + off, sizeof(why->msg) - off, fmt, ap);
	va_end(ap);
	return err;
}
