/* The config file and command line parsers (HUD and bridge), and the
 * theme file parser: any text is a setting, a reason, or a usage error. */
#include "config.h"
#include "app/options.h"
#include "theme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void lh_fuzz_options(char *path, int bridge)
{
	FILE *null = fopen("/dev/null", "w");
	if (!null)
		return;
	char prog[] = "livehud", mode[] = "bridge", opt[] = "--config";
	char *hud[] = { prog, opt, path, NULL }, *br[] = { prog, mode, opt, path, NULL };
	struct lh_options o;
	if (bridge)
		lh_options_parse(&o, 4, br, null, null);
	else
		lh_options_parse(&o, 3, hud, null, null);
	lh_options_free(&o);
	fclose(null);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	if (!path[0])
		snprintf(path, sizeof path, "/tmp/livehud-fuzz-config.%d", (int)getpid());
	FILE *f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	lh_fuzz_options(path, 0);
	lh_fuzz_options(path, 1);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct lh_theme t;
	memset(&t, 0, sizeof t);
	char *cause = NULL;
	lh_theme_parse(&t, text, "fuzz", &cause);
	free(cause);
	free(text);
	return 0;
}
