/* lt -- git-style dispatcher: `lt run ...` executes lt-run.
 *
 * The program is looked up first next to lt itself (so a build tree runs
 * its own programs), then in PATH.
 */
#include "lt.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: lt <command> [<args>...]\n"
	"       lt --help | --version\n"
	"\n"
	"commands:\n"
	"  run        run a load test scenario, NDJSON metrics on stdout (lt-run)\n"
	"  store      record NDJSON runs in the database; list, show, export, merge (lt-store)\n"
	"  baseline   set, list, show and delete baselines (lt-baseline)\n"
	"  regress    compare with the baseline, alerts, trends, change points (lt-regress)\n"
	"  bench      benchmark suites and commands (lt-bench)\n"
	"  sched      cron schedules, retries, execution history (lt-sched)\n"
	"  serve      REST API, WebSocket and dashboard (lt-serve)\n"
	"\n"
	"`lt help <command>` shows the manual page of lt-<command>.\n";

static int exec_tool(const char *name, char **argv)
{
	char self[PATH_MAX], path[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, name);
			if (access(path, X_OK) == 0)
				execv(path, argv);
		}
	}
	execvp(name, argv);
	return errno;
}

int main(int argc, char **argv)
{
	char tool[128];

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("lt %s\n", LT_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			fputs(usage, stdout);
			return 0;
		}
		snprintf(tool, sizeof tool, "lt-%s", argv[2]);
		execlp("man", "man", tool, (char *)NULL);
		fprintf(stderr, "lt: cannot run man: %s\n", strerror(errno));
		return 3;
	}
	if (argv[1][0] == '-' || strchr(argv[1], '/') || strlen(argv[1]) > 64) {
		fprintf(stderr, "lt: unknown option or command '%s'\n%s", argv[1], usage);
		return 2;
	}
	snprintf(tool, sizeof tool, "lt-%s", argv[1]);
	argv[1] = tool;
	int e = exec_tool(tool, argv + 1);
	if (e == ENOENT) {
		fprintf(stderr, "lt: '%s' is not an lt command (no %s found); see 'lt --help'\n",
			argv[1] + 3, tool);
		return 2;
	}
	fprintf(stderr, "lt: cannot run %s: %s\n", tool, strerror(e));
	return 3;
}
