/* livehud: watch AI agents work, live. main only picks the mode. */
#include "config.h"
#include "bridge/bridge.h"
#include "mode/emit.h"
#include "mode/record.h"
#include "app/options.h"
#include "mode/watch.h"
#include "../ui/hud.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	/* Without TZ, glibc stats /etc/localtime on every mktime(); naming the
	 * file once lets it cache the zone (each naive timestamp needs one). */
	setenv("TZ", ":/etc/localtime", 0);
	struct lh_options o;
	int status;
	switch (lh_options_parse(&o, argc, argv, stdout, stderr)) {
	case LH_OPTS_EXIT_OK: status = 0; break;
	case LH_OPTS_EXIT_USAGE: status = 2; break;
	default:
		if (o.mode == LH_MODE_EMIT)
			status = lh_emit_main(&o);
		else if (o.mode == LH_MODE_BRIDGE)
			status = lh_bridge_main(&o);
		else if (o.mode == LH_MODE_RECORD)
			status = lh_record_main(&o);
		else if (o.mode == LH_MODE_AUTO && isatty(STDOUT_FILENO) && lh_hud_usable(stderr))
			status = lh_hud_main(&o);
		else
			status = lh_watch_main(&o);
	}
	lh_options_free(&o);
	return status;
}
