/*
 * cli_main.c -- `riskmesh`: command dispatch, option parsing, --help.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rm_version.h"
#include "node/cli/cli.h"

static const struct cli_cmd *const commands[] = {
	&cli_federation_init,
	&cli_agency_add,
	&cli_agency_import,
	&cli_agency_list,
	&cli_agency_rotate,
	&cli_agency_revoke,
	&cli_agency_remove,
	&cli_roster_import,
	&cli_roster_publish,
	&cli_risk_add,
	&cli_risk_update,
	&cli_risk_remove,
	&cli_risk_list,
	&cli_risk_summary,
	&cli_risk_diff,
	&cli_risk_import,
	&cli_task_add,
	&cli_task_ack,
	&cli_task_close,
	&cli_task_list,
	&cli_task_show,
	&cli_indicator_define,
	&cli_indicator_defs,
	&cli_indicator_ingest,
	&cli_indicator_values,
	&cli_health_report,
	&cli_rules_check,
	&cli_proposal_list,
	&cli_proposal_confirm,
	&cli_node_config,
	&cli_node_check,
	&cli_alert_issue,
	&cli_alert_cancel,
	&cli_alert_list,
	&cli_alert_import,
	&cli_alert_cap,
	&cli_alert_export,
	&cli_alert_reach,
	&cli_device_add,
	&cli_device_list,
	&cli_device_remove,
	&cli_status,
	&cli_fork_list,
	&cli_fork_show,
	&cli_fork_resolve,
	&cli_sync,
	&cli_gateway_add,
	&cli_gateway_list,
	&cli_gateway_policy,
	&cli_verify,
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

/* ---------------- argument access ---------------- */

static int
opt_index(const struct cli_cmd *c, const char *name)
{
	for (int i = 0; c->opts[i].name != NULL; i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return i;
	return -1;
}

const char *
cli_get(const struct cli_args *a, const char *name)
{
	int i = opt_index(a->cmd, name);

	if (i < 0 || a->n[i] == 0)
		return NULL;
	return a->val[i][a->n[i] - 1];
}

bool
cli_has(const struct cli_args *a, const char *name)
{
	int i = opt_index(a->cmd, name);

	return i >= 0 && a->n[i] > 0;
}

size_t
cli_all(const struct cli_args *a, const char *name, const char *const **out)
{
	int i = opt_index(a->cmd, name);

	if (i < 0)
		return 0;
	*out = a->val[i];
	return a->n[i];
}

int
cli_split(char *s, char sep, char **items, size_t max)
{
	size_t n = 0;

	for (;;) {
		char *e = strchr(s, sep);

		if (n == max)
			return -1;
		if (e != NULL)
			*e = '\0';
		if (*s == '\0')
			return -1;
		items[n++] = s;
		if (e == NULL)
			return (int)n;
		s = e + 1;
	}
}

/* ---------------- messages ---------------- */

static void
print_usage_line(FILE *f, const struct cli_cmd *c)
{
	fprintf(f, "usage: riskmesh %s %s\n", c->name, c->synopsis);
}

int
cli_usage(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "riskmesh %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	print_usage_line(stderr, c);
	fprintf(stderr, "Try 'riskmesh %s --help' for more.\n", c->name);
	return CLI_EXIT_USAGE;
}

int
cli_fail(const struct cli_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "riskmesh %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_EXIT_FAIL;
}

int
cli_fail_file(const struct cli_cmd *c, const char *path, const rm_why *why)
{
	if (strstr(why->msg, path) != NULL)
		return cli_fail(c, "%s", why->msg);
	return cli_fail(c, "%s: %s", path, why->msg);
}

static void
cmd_help(const struct cli_cmd *c)
{
	print_usage_line(stdout, c);
	printf("\n%s.\n", c->summary);
	if (c->details != NULL)
		printf("\n%s\n", c->details);
	printf("\noptions:\n");
	for (const struct cli_opt *o = c->opts; o->name != NULL; o++) {
		char left[64];

		if (o->short_name)
			snprintf(left, sizeof(left), "-%c, --%s%s%s",
			    o->short_name, o->name, o->metavar ? " " : "",
			    o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name,
			    o->metavar ? " " : "",
			    o->metavar ? o->metavar : "");
		printf("  %-30s %s%s%s\n", left, o->help,
		    (o->flags & CLI_REQUIRED) ? " (required)" : "",
		    (o->flags & CLI_MULTI) ? " (repeatable)" : "");
	}
	printf("  %-30s %s\n", "    --help", "show this help");
	if (c->extra_help != NULL)
		c->extra_help();
}

static void
main_help(void)
{
	printf("usage: riskmesh COMMAND [SUBCOMMAND] [options]\n\n"
	    "Operator tool for a riskmesh federation: create the federation "
	    "and its\nagencies, write node configurations; through a node's "
	    "HTTP API issue and\ncancel alerts, keep the risk register "
	    "(风险清单), dispatch and acknowledge\ntasks (交办), post "
	    "indicators and write the health report, confirm the\nrules' "
	    "proposals; check rules files and risk registers and verify "
	    "signed\nrecords offline.\n\ncommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("  %-20s %s\n", commands[i]->name, commands[i]->summary);
	printf("\nRun 'riskmesh COMMAND --help' for a command's options.\n"
	    "  --help      show this help\n"
	    "  --version   show the version\n\n"
	    "Exit status: 0 success, 1 failure, 2 usage error.\n");
}

/* `riskmesh GROUP --help`: list the sub-commands of a group. */
static void
group_help(FILE *f, const char *group)
{
	size_t gl = strlen(group);

	fprintf(f, "usage: riskmesh %s SUBCOMMAND [options]\n\n"
	    "subcommands:\n", group);
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strncmp(commands[i]->name, group, gl) == 0 &&
		    commands[i]->name[gl] == ' ')
			fprintf(f, "  %-20s %s\n", commands[i]->name + gl + 1,
			    commands[i]->summary);
}

/* ---------------- parsing ---------------- */

static int
parse_args(const struct cli_cmd *c, int argc, char **argv,
    struct cli_args *a, bool *help)
{
	bool opts_done = false;

	memset(a, 0, sizeof(*a));
	a->cmd = c;
	*help = false;
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[64];
		int k = -1;

		if (opts_done || arg[0] != '-' || arg[1] == '\0') {
			if (a->n_pos >= c->max_pos)
				return cli_usage(c, "unexpected argument "
				    "\"%s\"", arg);
			a->pos[a->n_pos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
			*help = true;
			return CLI_EXIT_OK;
		}
		if (arg[1] == '-') {
			eq = strchr(arg, '=');
			snprintf(name, sizeof(name), "%.*s",
			    (int)(eq ? (size_t)(eq - arg - 2) :
			    strlen(arg + 2)), arg + 2);
			if (eq != NULL)
				val = eq + 1;
			k = opt_index(c, name);
		} else if (arg[2] == '\0') {
			for (int j = 0; c->opts[j].name != NULL; j++)
				if (c->opts[j].short_name == arg[1])
					k = j;
			snprintf(name, sizeof(name), "%s", arg);
		}
		if (k < 0)
			return cli_usage(c, "unknown option %s", arg);
		if (c->opts[k].metavar == NULL) {
			if (val != NULL)
				return cli_usage(c, "option --%s takes no "
				    "value", c->opts[k].name);
			val = "yes";
		} else if (val == NULL) {
			if (i + 1 >= argc)
				return cli_usage(c, "option --%s needs a "
				    "value (%s)", c->opts[k].name,
				    c->opts[k].metavar);
			val = argv[++i];
		}
		if (a->n[k] > 0 && !(c->opts[k].flags & CLI_MULTI) &&
		    c->opts[k].metavar != NULL)
			return cli_usage(c, "option --%s given twice",
			    c->opts[k].name);
		if (a->n[k] >= CLI_MULTI_MAX)
			return cli_usage(c, "option --%s given more than %d "
			    "times", c->opts[k].name, CLI_MULTI_MAX);
		a->val[k][a->n[k]++] = val;
	}
	for (int k = 0; c->opts[k].name != NULL; k++)
		if ((c->opts[k].flags & CLI_REQUIRED) && a->n[k] == 0)
			return cli_usage(c, "missing --%s %s (%s)",
			    c->opts[k].name, c->opts[k].metavar ?
			    c->opts[k].metavar : "", c->opts[k].help);
	if (a->n_pos < c->min_pos)
		return cli_usage(c, "missing argument (%s)", c->synopsis);
	return CLI_EXIT_OK;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c = NULL;
	struct cli_args *a;
	bool help, group = false;
	int used = 0, rv;

	if (argc < 2) {
		main_help();
		return CLI_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		main_help();
		return CLI_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("riskmesh %s\n", RM_VERSION);
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < N_COMMANDS && c == NULL; i++) {
		const char *n = commands[i]->name, *sp = strchr(n, ' ');

		if (sp == NULL) {
			if (strcmp(n, argv[1]) == 0) {
				c = commands[i];
				used = 2;
			}
			continue;
		}
		if (strncmp(n, argv[1], (size_t)(sp - n)) != 0 ||
		    argv[1][sp - n] != '\0')
			continue;
		group = true;
		if (argc > 2 && strcmp(sp + 1, argv[2]) == 0) {
			c = commands[i];
			used = 3;
		}
	}
	if (c == NULL && group) {
		if (argc > 2 && (strcmp(argv[2], "--help") == 0 ||
		    strcmp(argv[2], "-h") == 0)) {
			group_help(stdout, argv[1]);
			return CLI_EXIT_OK;
		}
		if (argc > 2)
			fprintf(stderr, "riskmesh %s: unknown subcommand "
			    "\"%s\"\n", argv[1], argv[2]);
		else
			fprintf(stderr, "riskmesh %s: missing subcommand\n",
			    argv[1]);
		group_help(stderr, argv[1]);
		return CLI_EXIT_USAGE;
	}
	if (c == NULL) {
		fprintf(stderr, "riskmesh: unknown command \"%s\"\n"
		    "Try 'riskmesh --help'.\n", argv[1]);
		return CLI_EXIT_USAGE;
	}
	if ((a = malloc(sizeof(*a))) == NULL) {
		fprintf(stderr, "riskmesh: out of memory\n");
		return CLI_EXIT_FAIL;
	}
	rv = parse_args(c, argc - used, argv + used, a, &help);
	if (rv == CLI_EXIT_OK && help)
		cmd_help(c);
	else if (rv == CLI_EXIT_OK)
		rv = c->run(a);
	free(a);
	return rv;
}
