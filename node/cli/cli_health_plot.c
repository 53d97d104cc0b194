/*
 * cli_health_plot.c -- the chart of `riskmesh health report`: a bar
 * chart of value against target per indicator, drawn by gnuplot run as
 * a child process (cli.h, cli_health_plot).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/cli/cli.h"

/* The gnuplot to run: $RM_GNUPLOT, else "gnuplot" found on PATH. */
static bool
find_gnuplot(char *out, size_t n)
{
	const char *env = getenv("RM_GNUPLOT"), *path = getenv("PATH");
	char buf[4096], *save = NULL;

	if (env != NULL && env[0] != '\0') {
		snprintf(out, n, "%s", env);
		return access(out, X_OK) == 0;
	}
	snprintf(buf, sizeof(buf), "%s", path != NULL ? path :
	    "/usr/bin:/bin");
	for (char *d = strtok_r(buf, ":", &save); d != NULL;
	    d = strtok_r(NULL, ":", &save))
		if ((size_t)snprintf(out, n, "%s/gnuplot", d) < n &&
		    access(out, X_OK) == 0)
			return true;
	return false;
}

/* Is s made only of characters safe in a gnuplot string and a file
 * name: [A-Za-z0-9._-]? */
static bool
plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '_' ||
		    *s == '-'))
			return false;
	return true;
}

static int
write_text(const char *path, const rm_buf *b, rm_why *why)
{
	return rm_file_write_atomic(path, b->data, b->len, 0644, why);
}

int
cli_health_plot(const char *dir, const char *base, const char *title,
    const struct cli_bar *bars, size_t n, bool normalised, rm_why *why)
{
	char gp[4096], f_dat[1200], f_gp[1200];
	rm_buf dat = RM_BUF_INIT, scr = RM_BUF_INIT;
	int status, rv;
	pid_t pid;

	if (!plain(base) || !plain(title))
		return rm_fail(why, RM_EINVAL, "chart: unsafe name");
	if (!find_gnuplot(gp, sizeof(gp)))
		return rm_fail(why, RM_ENOTFOUND, "gnuplot not found (install "
		    "the Debian package gnuplot-nox): no chart drawn");
	rv = rm_buf_printf(&dat, "# code value target\n");
	for (size_t i = 0; rv == RM_OK && i < n; i++) {
		if (!plain(bars[i].label))
			continue;
		rv = isnan(bars[i].value) ? rm_buf_printf(&dat, "\"%s\" NaN "
		    "%.10g\n", bars[i].label, bars[i].target) :
		    rm_buf_printf(&dat, "\"%s\" %.10g %.10g\n", bars[i].label,
		    bars[i].value, bars[i].target);
	}
	if (rv == RM_OK)
		rv = rm_buf_printf(&scr,
		    "set terminal pngcairo size %d,600 noenhanced\n"
		    "set output '%s.png'\n"
		    "set title 'City health check %s'\n"
		    "set style data histograms\n"
		    "set style histogram clustered gap 1\n"
		    "set style fill solid 0.8 border -1\n"
		    "set boxwidth 0.9\n"
		    "set xtics rotate by -30 nomirror\n"
		    "set grid ytics\n"
		    "set key top right\n"
		    "set yrange [0:*]\n"
		    "set ylabel '%s'\n"
		    "plot '%s.dat' using 2:xtic(1) title 'value', "
		    "'' using 3 title 'target'\n",
		    n * 90 + 300 > 4000 ? 4000 : (int)(n * 90 + 300), base,
		    title, normalised ? "% of target" : "value", base);
	if (rv != RM_OK) {
		rv = rm_fail(why, rv, "out of memory");
		goto out;
	}
	snprintf(f_dat, sizeof(f_dat), "%s/%s.dat", dir, base);
	snprintf(f_gp, sizeof(f_gp), "%s/%s.gp", dir, base);
	if ((rv = write_text(f_dat, &dat, why)) != RM_OK ||
	    (rv = write_text(f_gp, &scr, why)) != RM_OK)
		goto out;
	snprintf(f_gp, sizeof(f_gp), "%s.gp", base);
	if ((pid = fork()) < 0) {
		rv = rm_fail(why, RM_EIO, "fork: %s", strerror(errno));
		goto clean;
	}
	if (pid == 0) {
		if (chdir(dir) != 0)
			_exit(126);
		execl(gp, "gnuplot", f_gp, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rv = rm_fail(why, RM_EIO, "gnuplot (%s) failed (status %d)", gp,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
clean:
	unlink(f_dat);
	snprintf(f_gp, sizeof(f_gp), "%s/%s.gp", dir, base);
	unlink(f_gp);
out:
	rm_buf_fini(&dat);
	rm_buf_fini(&scr);
	return rv;
}
