#include "config.h"
#include "log.h"
#include "buf.h"
#include "json.h"
#include "text.h"
#include "timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static bool lh_log_json;

void lh_log_init(bool json)
{
	lh_log_json = json;
}

void lh_log(const char *level, const char *fmt, ...)
{
	struct lh_buf raw = LH_BUF_INIT, line = LH_BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	lh_buf_vprintf(&raw, fmt, ap);
	va_end(ap);
	char ts[40];
	lh_time_format_rfc3339(lh_time_now_us(), ts, sizeof ts);
	if (lh_log_json) {
		lh_buf_printf(&line, "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":", ts, level);
		lh_json_put_string(&line, lh_buf_str(&raw));
		lh_buf_puts(&line, "}\n");
	} else {
		lh_buf_printf(&line, "%s %-5s ", ts, level);
		lh_text_sanitize(&line, lh_buf_str(&raw), raw.len, LH_TEXT_ONELINE);
		lh_buf_putc(&line, '\n');
	}
	fwrite(line.data, 1, line.len, stderr);
	fflush(stderr);
	lh_buf_free(&raw);
	lh_buf_free(&line);
}
