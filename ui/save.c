/* save: S writes the events of the current view (its run, filters and
 * &pattern applied; a call's result with its call) to a JSONL file, each
 * line a payload exactly as it was received, so that livehud --file reads
 * the file back as it was seen. */
#include "config.h"
#include "hud_impl.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void lh_save_default_name(const struct lh_hud *h, char *buf, size_t len)
{
	const char *run = lh_rows_filter(h->rows)->run;
	char safe[64], stamp[32];
	size_t n = 0;
	/* A run id is a stranger's text: only what is safe in a file name. */
	for (const char *p = run ? run : "all"; *p && n + 1 < sizeof safe; p++)
		safe[n++] = strchr("-_.", *p) || (*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'z')
				    ? *p : '_';
	safe[n] = '\0';
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	snprintf(buf, len, "livehud-%s-%s.jsonl", safe, stamp);
}

static int lh_by_seq(const void *a, const void *b)
{
	uint64_t x = (*(const struct lh_entry *const *)a)->seq, y = (*(const struct lh_entry *const *)b)->seq;
	return x < y ? -1 : x > y;
}

/* The view's items and the results drawn under them, in arrival order. */
static const struct lh_entry **lh_save_entries(struct lh_hud *h, size_t *count)
{
	size_t n = lh_rows_count(h->rows), k = 0;
	const struct lh_entry **all = lh_xmalloc((2 * n + 1) * sizeof *all);
	for (size_t i = 0; i < n; i++) {
		const struct lh_entry *e = lh_rows_at(h->rows, i);
		all[k++] = e;
		if (e->cat == LH_CAT_TOOL_CALL && e->peer)
			all[k++] = e->peer;
	}
	qsort(all, k, sizeof *all, lh_by_seq);
	*count = k;
	return all;
}

/* One payload on one line: JSON strings cannot hold a raw line break, so
 * any in an accepted payload is whitespace, and a space means the same. */
static void lh_save_line(struct lh_buf *b, FILE *f)
{
	for (size_t i = 0; i < b->len; i++)
		if (b->data[i] == '\n' || b->data[i] == '\r')
			b->data[i] = ' ';
	lh_buf_putc(b, '\n');
	fwrite(b->data, 1, b->len, f);
}

void lh_save_view(struct lh_hud *h, const char *path)
{
	lh_rows_sync(h->rows);
	/* Never over another file: the operator asked for a new one. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		lh_hud_say(h, errno == EEXIST ? "%s exists: not overwritten" : "cannot save to %s: %s", path,
			   strerror(errno));
		return;
	}
	FILE *f = fdopen(fd, "w");
	if (!f) {
		lh_hud_say(h, "cannot save to %s: %s", path, strerror(errno));
		close(fd);
		return;
	}
	size_t n, remade = 0;
	const struct lh_entry **all = lh_save_entries(h, &n);
	struct lh_buf b = LH_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		lh_buf_reset(&b);
		if (lh_hud_raw(h, all[i], &b) < 0) { /* not kept: as parsed */
			struct lh_event ev;
			lh_entry_event(all[i], &ev);
			lh_buf_reset(&b);
			lh_event_to_json(&ev, &b);
			remade++;
		}
		lh_save_line(&b, f);
	}
	lh_buf_free(&b);
	free(all);
	if (ferror(f) | (fclose(f) != 0))
		lh_hud_say(h, "saving %s failed: %s", path, strerror(errno));
	else if (remade)
		lh_hud_say(h, "saved %zu event%s to %s (%zu as parsed: their payloads were not kept, or their file changed)", n,
			   n == 1 ? "" : "s", path, remade);
	else
		lh_hud_say(h, "saved %zu event%s to %s", n, n == 1 ? "" : "s", path);
}
