/*
 * test_coap_fx.c -- fixture for the CoAP server tests (test_coap_fx.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rm_test.h"
#include "test_coap_fx.h"

#define ARGS_MAX 24

struct fake fx_fake;
struct alertcoap *fx_srv;
unsigned fx_port;
static char fx_dir[64];
static int fx_seq;

void
fx_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

void
fx_start(struct alertcoap_opts *o)
{
	rm_why why;

	signal(SIGPIPE, SIG_IGN);
	CU_ASSERT_FATAL(access(FX_CLIENT, X_OK) == 0);
	snprintf(fx_dir, sizeof(fx_dir), "/tmp/rm_coap_XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(fx_dir) != NULL);
	fake_init(&fx_fake);
	fx_add_alert("typhoon-1", RM_GRADE_RED, RM_STATUS_ACTUAL,
	    "天津市气象局发布台风红色预警",
	    "Red typhoon warning for the Binhai coast", "120116", NULL);
	fx_add_alert("fog-1", RM_GRADE_BLUE, RM_STATUS_ACTUAL,
	    "和平区大雾蓝色预警", "Blue fog warning for Heping", "120101", NULL);
	o->host = "127.0.0.1";
	o->provider = fake_provider(&fx_fake);
	for (int i = 0; i < 5 && fx_srv == NULL; i++) {
		o->port = rm_test_port(60 + (unsigned)i);
		if (alertcoap_start(o, &fx_srv, &why) != RM_OK)
			fprintf(stderr, "start: %s\n", why.msg);
	}
	CU_ASSERT_FATAL(fx_srv != NULL);
	fx_port = o->port;
}

void
fx_stop(void)
{
	char cmd[128];

	alertcoap_stop(fx_srv);
	fx_srv = NULL;
	fake_fini(&fx_fake);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx_dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

int
fx_client_start(struct fx_run *r, const char *arg, ...)
{
	const char *argv[ARGS_MAX + 2];
	va_list ap;
	int n = 0, fd;

	argv[n++] = FX_CLIENT;
	va_start(ap, arg);
	for (const char *a = arg; a != NULL && n < ARGS_MAX; a = va_arg(ap,
	    const char *))
		argv[n++] = a;
	va_end(ap);
	argv[n] = NULL;
	snprintf(r->path, sizeof(r->path), "%s/out.%d", fx_dir, fx_seq++);
	if ((fd = open(r->path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	if ((r->pid = fork()) < 0) {
		close(fd);
		return -1;
	}
	if (r->pid == 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		close(fd);
		execv(FX_CLIENT, (char *const *)argv);
		_exit(127);
	}
	close(fd);
	return 0;
}

static char *
fx_read_out(const struct fx_run *r)
{
	rm_buf b = RM_BUF_INIT;

	rm_file_read(r->path, 8 << 20, &b, NULL);
	rm_buf_cstr(&b);
	return (char *)rm_buf_steal(&b, NULL);
}

char *
fx_client_wait(struct fx_run *r, long timeout_ms, int *status)
{
	int st = -1;

	for (long t = 0;; t += 20) {
		pid_t p = waitpid(r->pid, &st, WNOHANG);
		if (p == r->pid)
			break;
		if (t >= timeout_ms) {
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &st, 0);
			st = -1;
			break;
		}
		fx_sleep_ms(20);
	}
	if (status != NULL)
		*status = st;
	return fx_read_out(r);
}

char *
fx_client_until(struct fx_run *r, const char *text, long timeout_ms)
{
	char *out;
	int st;

	for (long t = 0; t < timeout_ms; t += 50) {
		bool seen;

		out = fx_read_out(r);
		seen = out != NULL && strstr(out, text) != NULL;
		free(out);
		if (seen)
			break;
		if (waitpid(r->pid, &st, WNOHANG) == r->pid)
			return fx_read_out(r);
		fx_sleep_ms(50);
	}
	kill(r->pid, SIGKILL);
	waitpid(r->pid, &st, 0);
	return fx_read_out(r);
}

void
fx_uri(char *out, size_t n, const char *path)
{
	snprintf(out, n, "coap://127.0.0.1:%u%s", fx_port, path);
}

char *
fx_get(const char *path, const char *accept)
{
	struct fx_run r;
	char u[160];

	fx_uri(u, sizeof(u), path);
	if (accept != NULL) {
		if (fx_client_start(&r, "-m", "get", "-B", "5", "-A", accept,
		    u, NULL) != 0)
			return strdup("");
	} else if (fx_client_start(&r, "-m", "get", "-B", "5", u, NULL) != 0)
		return strdup("");
	return fx_client_wait(&r, 10000, NULL);
}

int
fx_get_file(const char *path, const char *accept, rm_buf *out)
{
	struct fx_run r;
	char u[160], file[160];

	fx_uri(u, sizeof(u), path);
	snprintf(file, sizeof(file), "%s/body.%d", fx_dir, fx_seq++);
	if (fx_client_start(&r, "-m", "get", "-B", "5", "-A", accept, "-o",
	    file, u, NULL) != 0)
		return -1;
	free(fx_client_wait(&r, 10000, NULL));
	return rm_file_read(file, 8 << 20, out, NULL);
}

bool
fx_wait_stat(uint64_t *field, struct alertcoap_stats *st, uint64_t want,
    bool at_least, long timeout_ms)
{
	for (long t = 0; t <= timeout_ms; t += 20) {
		alertcoap_get_stats(fx_srv, st);
		if (at_least ? *field >= want : *field == want)
			return true;
		fx_sleep_ms(20);
	}
	return false;
}

struct fake_alert *
fx_add_alert(const char *oid, rm_grade g, rm_cap_status status,
    const char *zh, const char *en, const char *area1, const char *area2)
{
	struct fake_spec s = {
		.oid = oid, .grade = g, .status = status,
		.zh_event = "台风", .zh_headline = zh,
		.en_event = "Typhoon", .en_headline = en,
		.areas = { area1, area2 }, .expires_ms = 0,
	};

	return fake_add(&fx_fake, &s);
}

size_t
fx_count(const char *hay, const char *needle)
{
	size_t n = 0, l = strlen(needle);

	for (const char *p = hay; l > 0 && (p = strstr(p, needle)) != NULL;
	    p += l)
		n++;
	return n;
}
