/* aisloader: AIStore's load generator (docs/aisloader.md). Thin main: flags, then ld_run. */
#include "core/err.h"
#include "loader/ld_flags.h"
#include "loader/ld_run.h"

#include <signal.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	static ld_params_t p; /* large; main's only state */
	char err[512];
	signal(SIGPIPE, SIG_IGN);
	ld_flags_defaults(&p);
	if (ld_flags_parse(&p, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "aisloader: %s\nrun `aisloader -usage` for the flags\n", err);
		return 2;
	}
	if (argc == 1 || p.usage) {
		ld_flags_usage(stdout);
		return 0;
	}
	if (ld_flags_finish(&p, err, sizeof(err))) {
		fprintf(stderr, "aisloader: %s\n", err);
		return 2;
	}
	return ld_run(&p) ? 1 : 0;
}
