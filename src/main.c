/* livehud: watch AI agents work, live. main only picks the mode. */
#include "config.h"
#include "emit.h"
#include "options.h"
#include "watch.h"

#include <locale.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	struct lh_options o;
	switch (lh_options_parse(&o, argc, argv, stdout, stderr)) {
	case LH_OPTS_EXIT_OK: return 0;
	case LH_OPTS_EXIT_USAGE: return 2;
	case LH_OPTS_RUN: break;
	}
	if (o.mode == LH_MODE_EMIT)
		return lh_emit_main(&o);
	return lh_watch_main(&o);
}
