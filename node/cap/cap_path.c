/*
 * cap_path.c -- the path of the CAP element being read
 * ("alert/info[0]/area[1]/polygon[0]") and refusals naming it: why->field
 * is the path, why->msg "path: rule (CAP 1.2 §…)".
 */
#include <stdarg.h>
#include <stdio.h>

#include "node/cap/cap_int.h"

size_t
cap_push(struct cap_ctx *c, const char *name, long i)
{
	size_t old = c->path_len, room = sizeof(c->path) - old;
	const char *sep = old ? "/" : "";
	int w;

	w = i >= 0 ? snprintf(c->path + old, room, "%s%s[%ld]", sep, name, i) :
	    snprintf(c->path + old, room, "%s%s", sep, name);
	c->path_len = w < 0 ? old : (size_t)w >= room ? sizeof(c->path) - 1 :
	    old + (size_t)w;
	return old;
}

void
cap_pop(struct cap_ctx *c, size_t len)
{
	c->path_len = len;
	c->path[len] = '\0';
}

static int
vfail(struct cap_ctx *c, int err, const char *fmt, va_list ap)
{
	int k;

	if (c->why == NULL)
		return err;
	snprintf(c->why->field, sizeof(c->why->field), "%s", c->path);
	k = snprintf(c->why->msg, sizeof(c->why->msg), "%s%s", c->path,
	    c->path[0] ? ": " : "");
	if (k < 0 || (size_t)k >= sizeof(c->why->msg))
		k = (int)sizeof(c->why->msg) - 1;
	vsnprintf(c->why->msg + k, sizeof(c->why->msg) - (size_t)k, fmt, ap);
	return err;
}

int
cap_fail(struct cap_ctx *c, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = vfail(c, err, fmt, ap);
	va_end(ap);
	return err;
}

int
cap_fail_in(struct cap_ctx *c, const char *name, int err, const char *fmt,
    ...)
{
	size_t old = name ? cap_push(c, name, -1) : c->path_len;
	va_list ap;

	va_start(ap, fmt);
	err = vfail(c, err, fmt, ap);
	va_end(ap);
	cap_pop(c, old);
	return err;
}
