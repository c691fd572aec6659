/* save: S writes the events of the current view (its run, filters and
 * &pattern applied; a call's result with its call) to a JSONL file, each
 * line a payload exactly as it was received, so that livehud --file reads
 * the file back as it was seen.
 *
 * A million payloads take a second or two to read back and write: they
 * are written a slice a loop turn, so keys and events go on meanwhile.
 * The view is taken by seq when S is confirmed; an event a live source
 * evicts before its turn is counted, not written. */
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

/* Entries written a loop turn: a few ms of reading back and writing. */
#define LH_SAVE_SLICE 4096

struct lh_save {
	FILE *f;
	char *path;
	uint64_t *seqs;      /* the view's, in arrival order */
	size_t n, at;
	size_t remade, gone; /* written as parsed; evicted before their turn */
	struct lh_buf line;
};

static int lh_by_value(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The view's items and the results drawn under them, by seq, ascending. */
static uint64_t *lh_save_seqs(struct lh_hud *h, size_t *count)
{
	size_t n = lh_rows_count(h->rows), k = 0;
	uint64_t *all = lh_xmalloc((2 * n + 1) * sizeof *all);
	for (size_t i = 0; i < n; i++) {
		const struct lh_entry *e = lh_rows_at(h->rows, i);
		all[k++] = e->seq;
		if (e->cat == LH_CAT_TOOL_CALL && e->peer)
			all[k++] = e->peer->seq;
	}
	qsort(all, k, sizeof *all, lh_by_value);
	*count = k;
	return all;
}

/* The entry numbered seq, NULL once evicted: the store numbers entries
 * one after another and evicts the oldest first. */
static const struct lh_entry *lh_save_entry(struct lh_hud *h, uint64_t seq)
{
	const struct lh_entry *oldest = lh_store_entry_at(h->store, 0);
	return oldest && seq >= oldest->seq ? lh_store_entry_at(h->store, (size_t)(seq - oldest->seq)) : NULL;
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

static void lh_save_write(struct lh_hud *h, struct lh_save *sv, const struct lh_entry *e)
{
	struct lh_buf *b = &sv->line;
	lh_buf_reset(b);
	if (lh_hud_raw(h, e, b) < 0) { /* not kept: as parsed */
		struct lh_event ev;
		lh_entry_event(e, &ev);
		lh_buf_reset(b);
		lh_event_to_json(&ev, b);
		sv->remade++;
	}
	lh_save_line(b, sv->f);
}

/* " (N what)", or "" when N is 0. */
static const char *lh_save_counted(size_t n, const char *what, char *buf, size_t len)
{
	if (!n)
		return "";
	snprintf(buf, len, " (%zu %s)", n, what);
	return buf;
}

static void lh_save_end(struct lh_hud *h)
{
	struct lh_save *sv = h->save;
	char paren1[96], paren2[64];
	size_t n = sv->n - sv->gone;
	uv_idle_stop(&h->save_idle);
	h->save = NULL;
	if (ferror(sv->f) | (fclose(sv->f) != 0))
		lh_hud_say(h, "saving %s failed: %s", sv->path, strerror(errno));
	else
		lh_hud_say(h, "saved %zu event%s to %s%s%s", n, n == 1 ? "" : "s", sv->path, lh_save_counted(sv->remade,
			   "as parsed: their payloads were not kept, or their file changed", paren1, sizeof paren1),
			   lh_save_counted(sv->gone, "evicted before their turn, not saved", paren2, sizeof paren2));
	lh_buf_free(&sv->line);
	free(sv->seqs);
	free(sv->path);
	free(sv);
}

/* Writes up to max more entries; ends the save after the last. */
static void lh_save_slice(struct lh_hud *h, size_t max)
{
	struct lh_save *sv = h->save;
	for (size_t end = sv->n - sv->at > max ? sv->at + max : sv->n; sv->at < end; sv->at++) {
		const struct lh_entry *e = lh_save_entry(h, sv->seqs[sv->at]);
		if (e)
			lh_save_write(h, sv, e);
		else
			sv->gone++;
	}
	if (sv->at == sv->n)
		lh_save_end(h);
	else
		lh_hud_say(h, "saving %zu of %zu events to %s...", sv->at, sv->n, sv->path);
}

static void lh_save_idle_cb(uv_idle_t *idle)
{
	lh_save_slice(idle->data, LH_SAVE_SLICE);
}

void lh_save_finish(struct lh_hud *h)
{
	if (h->save)
		lh_save_slice(h, SIZE_MAX);
}

void lh_save_view(struct lh_hud *h, const char *path)
{
	if (h->save) {
		lh_hud_say(h, "still saving to %s", h->save->path);
		return;
	}
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
	struct lh_save *sv = lh_xcalloc(1, sizeof *sv);
	sv->f = f;
	sv->path = lh_xstrdup(path);
	sv->seqs = lh_save_seqs(h, &sv->n);
	h->save = sv;
	uv_idle_start(&h->save_idle, lh_save_idle_cb);
}
