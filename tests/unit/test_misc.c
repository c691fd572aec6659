/* Small modules: Redis URLs, the histogram, rejection rate limiting, the
 * map, the bridge's history, cutting RESP bulks, the spill journal, the
 * arena. */
#include "config.h"
#include "../tap.h"
#include "lib/hist.h"
#include "bridge/history.h"
#include "lib/map.h"
#include "lib/redisurl.h"
#include "source/stream.h"
#include "core/rejects.h"
#include "lib/respcut.h"
#include "lib/spill.h"
#include "lib/pages.h"
#include "lib/arena.h"

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_urls(void)
{
	struct lh_redis_url u;
	const char *cause;
	ok(lh_redis_url_parse("redis://127.0.0.1:6390", &u, &cause) == 0, "host:port");
	is_str(u.host, "127.0.0.1", "host");
	is_int(u.port, 6390, "port");
	lh_redis_url_clear(&u);
	ok(lh_redis_url_parse("redis://bob:s3cr3t@cache.local/2", &u, &cause) == 0, "user:pass@host/db");
	is_str(u.user, "bob", "user");
	is_str(u.password, "s3cr3t", "password");
	is_int(u.port, 6379, "default port");
	is_int(u.db, 2, "db");
	char *shown = lh_redis_url_display(&u);
	is_str(shown, "redis://bob@cache.local:6379", "display hides the password");
	free(shown);
	lh_redis_url_clear(&u);
	ok(lh_redis_url_parse("redis://:pw@[::1]:7000", &u, &cause) == 0, "IPv6 with password only");
	is_str(u.host, "::1", "IPv6 host");
	ok(u.user == NULL && u.password && u.port == 7000, "no user, password, port 7000");
	lh_redis_url_clear(&u);
	ok(lh_redis_url_parse("unix:///run/redis.sock", &u, &cause) == 0, "unix socket");
	is_str(u.path, "/run/redis.sock", "path");
	lh_redis_url_clear(&u);
	ok(lh_redis_url_parse("redis+sentinel://:pw@s1,10.0.0.2:26380/mymaster/3", &u, &cause) == 0,
	   "sentinels, master and db");
	ok(u.nsentinels == 2 && u.sentinels[0].port == 26379 && u.sentinels[1].port == 26380,
	   "each sentinel's port, 26379 by default");
	is_str(u.sentinels[1].host, "10.0.0.2", "the second sentinel");
	is_str(u.master, "mymaster", "master name");
	ok(u.db == 3 && u.password && !strcmp(u.password, "pw"), "db and the master's password");
	shown = lh_redis_url_display(&u);
	is_str(shown, "redis+sentinel://s1:26379,10.0.0.2:26380/mymaster", "sentinel URL displayed without password");
	free(shown);
	lh_redis_url_clear(&u);
	ok(lh_redis_url_parse("redis+sentinel://s1:26379", &u, &cause) < 0, "a sentinel URL needs a master");
	ok(lh_redis_url_parse("redis+sentinel://s1,,s2/m", &u, &cause) < 0, "an empty sentinel refused");
	ok(lh_redis_url_parse("http://x", &u, &cause) < 0, "http:// refused");
	ok(lh_redis_url_parse("redis://h:99999", &u, &cause) < 0, "port 99999 refused");
	ok(lh_redis_url_parse("redis://h:12ab", &u, &cause) < 0, "port 12ab refused");
	ok(lh_redis_url_parse("unix://relative", &u, &cause) < 0, "relative unix path refused");
}

static void test_stream_ids(void)
{
	uint64_t a, b, c;
	ok(lh_stream_id_pos("1704067200000-0", &a) && a == 1, "the first id of 2024 is 1");
	ok(lh_stream_id_pos("1704067200000-1", &b) && b == 2, "the next in the same millisecond is 2");
	ok(lh_stream_id_pos("1704067200001-0", &c) && c == 4097, "a millisecond later is 4096 on");
	ok(lh_stream_id_pos("1796150705576-4094", &a) && a < (1ULL << 53), "2026 ids are below 2^53");
	ok(!lh_stream_id_pos("1796150705576-4095", &a), "past 4094 in one millisecond is refused");
	ok(!lh_stream_id_pos("1000-0", &a), "an id before 2024 is refused");
	ok(!lh_stream_id_pos("17-x", &a) && !lh_stream_id_pos("-1-0", &a) && !lh_stream_id_pos("5", &a),
	   "malformed ids are refused");
}

static void test_hist(void)
{
	struct lh_hist h = LH_HIST_INIT;
	is_int(lh_hist_quantile(&h, 0.5), 0, "empty histogram gives 0");
	for (int i = 1; i <= 10000; i++)
		lh_hist_add(&h, i);
	int64_t p50 = lh_hist_quantile(&h, 0.5), p95 = lh_hist_quantile(&h, 0.95);
	ok(p50 > 4800 && p50 < 5200, "p50 of 1..10000 within 4%% (got %lld)", (long long)p50);
	ok(p95 > 9200 && p95 < 9800, "p95 within 4%% (got %lld)", (long long)p95);
	is_int(lh_hist_quantile(&h, 1.0), 10000, "p100 is the max");
	ok(h.nbins < 200, "sparse: %u bins for 10000 values", h.nbins);
	lh_hist_free(&h);
	lh_hist_add(&h, 7);
	is_int(lh_hist_quantile(&h, 0.5), 7, "small values are exact");
	lh_hist_add(&h, 40000000000LL);
	is_int(lh_hist_quantile(&h, 1.0), 40000000000LL, "huge values do not overflow");
	lh_hist_free(&h);
}

static void test_rejects(void)
{
	struct lh_rejects r = { 0 };
	uint64_t n = 0;
	int64_t t = 1000000;
	ok(lh_rejects_add(&r, LH_REJECT_INVALID_JSON, t, &n) && n == 1, "first rejection is reported");
	ok(!lh_rejects_add(&r, LH_REJECT_INVALID_JSON, t + 1000, &n), "second within a minute is not");
	ok(lh_rejects_add(&r, LH_REJECT_NUL_BYTE, t + 2000, &n), "another reason is reported at once");
	ok(!lh_rejects_add(&r, LH_REJECT_INVALID_JSON, t + 59000000, &n), "still quiet at 59 s");
	ok(lh_rejects_add(&r, LH_REJECT_INVALID_JSON, t + 61000000, &n) && n == 3,
	   "after a minute, reported with the count since (3)");
	is_int(r.count[LH_REJECT_INVALID_JSON], 4, "every one counted");
	is_int(r.total, 5, "total");
}

static void test_map(void)
{
	struct lh_map *m = lh_map_new();
	static char keys[5000][16];
	for (int i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof keys[i], "k%d", i);
		lh_map_put(m, keys[i], keys[i]);
	}
	is_int(lh_map_count(m), 5000, "5000 keys");
	ok(lh_map_get(m, "k4321") == keys[4321], "lookup after growth");
	ok(lh_map_del(m, "k10") == keys[10] && lh_map_get(m, "k10") == NULL, "delete");
	ok(lh_map_get(m, "nope") == NULL, "absent key");
	lh_map_free(m);
	lh_map_free(NULL);
}

/* Appends a 100-byte frame to run id of h. */
static void history_add(struct lh_history *h, const char *id)
{
	char text[100];
	memset(text, 'x', sizeof text);
	struct lh_hrun *r = lh_history_run(h, id);
	struct lh_frame *f = lh_frame_new(text, sizeof text, id, lh_hrun_next_seq(r));
	lh_hrun_append(h, r, f);
	lh_frame_unref(f);
}

static void test_history(void)
{
	/* 10 frames per run, 25 frames' worth of bytes in all */
	struct lh_history *h = lh_history_new(10, 5, 2500, "boot", false);
	for (int i = 0; i < 10; i++)
		history_add(h, "a");
	for (int i = 0; i < 10; i++)
		history_add(h, "b");
	is_int(lh_history_bytes(h), 2000, "two runs of 10 frames: 2000 bytes");
	is_int(lh_history_evicted(h), 0, "nothing let go within the budget");
	for (int i = 0; i < 8; i++)
		history_add(h, "c");
	is_int(lh_history_bytes(h), 2500, "at the budget, not past it");
	is_int(lh_history_evicted(h), 3, "three frames let go");
	struct lh_hrun *a = lh_history_find(h, "a");
	is_int(lh_hrun_count(a), 7, "from the least recently active run");
	is_int(lh_hrun_at(a, 0)->seq, 4, "its oldest first");
	is_int(lh_hrun_next_seq(a), 11, "its numbering goes on");
	is_int(lh_hrun_count(lh_history_find(h, "b")), 10, "a more recent run keeps all");
	for (int i = 0; i < 10; i++)
		history_add(h, "d");
	is_int(lh_hrun_count(a), 0, "an emptied run...");
	ok(lh_history_find(h, "a") == a && lh_hrun_next_seq(a) == 11, "...keeps its numbers");
	is_int(lh_hrun_count(lh_history_find(h, "b")), 7, "then the next run in line");
	is_int(lh_hrun_count(lh_history_find(h, "c")), 8, "but not a more recent one");
	history_add(h, "a");
	is_int(lh_hrun_at(a, 0)->seq, 11, "a run that is active again");
	is_int(lh_hrun_count(lh_history_find(h, "b")), 6, "takes from the stalest");
	is_int(lh_history_bytes(h), 2500, "still at the budget");
	lh_history_free(h);

	h = lh_history_new(10, 2, 1 << 20, "boot", false);
	history_add(h, "a");
	history_add(h, "b");
	history_add(h, "c");
	ok(!lh_history_find(h, "a"), "past max_runs the least recent run is forgotten");
	is_int(lh_history_forgotten(h), 1, "and counted");
	is_int(lh_history_bytes(h), 200, "its bytes with it");
	lh_history_free(h);
}

/* Feeds in to a new cutter in pieces of at most step bytes. */
static char *respcut_run(const char *in, size_t len, size_t limit, size_t step, uint64_t *cut)
{
	struct lh_respcut *c = lh_respcut_new(limit);
	struct lh_buf out = LH_BUF_INIT;
	for (size_t i = 0; i < len; i += step)
		lh_respcut_feed(c, in + i, len - i < step ? len - i : step, &out);
	lh_buf_putc(&out, '\0');
	*cut = lh_respcut_count(c);
	lh_respcut_free(c);
	return out.data;
}

static void test_respcut(void)
{
	static const char small[] = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$5\r\nhello\r\n"
				    "+OK\r\n-ERR no\r\n:42\r\n$-1\r\n*-1\r\n$0\r\n\r\n"
				    "*2\r\n*1\r\n$3\r\nabc\r\n$1\r\nx\r\n";
	static const size_t steps[] = { 1, 2, 3, 7, 64, 100000 };
	uint64_t cut;
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char *got = respcut_run(small, sizeof small - 1, 16, steps[i], &cut);
		ok(strcmp(got, small) == 0 && cut == 0, "within the limit every reply passes unchanged (pieces of %zu)",
		   steps[i]);
		free(got);
	}
	char big[200];
	int n = snprintf(big, sizeof big, "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$40\r\n%s\r\n:1\r\n",
			 "0123456789abcdefghijklmnopqrstuvwxyzABCD");
	static const char want[] = "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$17\r\n0123456789abcdefg\r\n:1\r\n";
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		char *got = respcut_run(big, (size_t)n, 16, steps[i], &cut);
		ok(strcmp(got, want) == 0 && cut == 1, "a longer bulk is cut to limit + 1 bytes (pieces of %zu)",
		   steps[i]);
		free(got);
	}
	static const char odd[] = "$12345678901234567890123456789\r\n$x\r\n";
	char *got = respcut_run(odd, sizeof odd - 1, 16, 5, &cut);
	ok(strcmp(got, odd) == 0 && cut == 0, "what is not a length passes, for hiredis to judge");
	free(got);
}

/* Strings come back byte for byte across segment files; released ones
 * are gone and their files with them. */
static void test_spill(void)
{
	struct lh_spill *s = lh_spill_new(NULL);
	ok(lh_spill_bytes(s) == 0, "a new spill holds nothing");
	static char big[LH_SPILL_SEGMENT / 4];
	memset(big, 'x', sizeof big);
	uint64_t first = lh_spill_put(s, "{\"ts\":\"+02:00\"}", 16);
	uint64_t at[9];
	for (int i = 0; i < 9; i++)
		at[i] = lh_spill_put(s, big, sizeof big);
	uint64_t last = lh_spill_put(s, "tail", 4);
	ok(first != LH_SPILL_NONE && last != LH_SPILL_NONE, "puts succeed");
	struct lh_buf b = LH_BUF_INIT;
	ok(lh_spill_get(s, first, 16, &b) == 0 && strcmp(b.data, "{\"ts\":\"+02:00\"}") == 0,
	   "the first string, exactly");
	lh_buf_reset(&b);
	ok(lh_spill_get(s, last, 4, &b) == 0 && strcmp(b.data, "tail") == 0, "the last one, in a later file");
	lh_buf_reset(&b);
	ok(lh_spill_get(s, at[5], sizeof big, &b) == 0 && b.len == sizeof big && b.data[sizeof big - 1] == 'x',
	   "a large one whole");
	uint64_t before = lh_spill_bytes(s);
	lh_spill_release(s, at[8]);
	ok(lh_spill_bytes(s) < before, "releasing drops whole old files");
	lh_buf_reset(&b);
	errno = 0;
	ok(lh_spill_get(s, first, 16, &b) == -1 && errno == ENOENT, "a released string is gone, said so");
	lh_buf_reset(&b);
	ok(lh_spill_get(s, last, 4, &b) == 0 && strcmp(b.data, "tail") == 0, "a kept one is still there");
	lh_buf_free(&b);
	lh_spill_free(s);
	lh_spill_free(NULL);

	/* small strings are gathered before they are written: any of them
	 * reads back whenever it is asked for, the newest included */
	s = lh_spill_new(NULL);
	uint64_t small[3000];
	char text[32];
	int wrong = 0;
	for (int i = 0; i < 3000; i++) {
		int n = snprintf(text, sizeof text, "payload %d", i);
		small[i] = lh_spill_put(s, text, (size_t)n);
		int j = i % 7 == 0 ? i : i / 2;
		n = snprintf(text, sizeof text, "payload %d", j);
		lh_buf_reset(&b);
		wrong += lh_spill_get(s, small[j], (size_t)n, &b) != 0 || strcmp(b.data, text) != 0;
	}
	ok(wrong == 0, "3000 small strings read back between puts (%d wrong)", wrong);
	lh_buf_free(&b);
	lh_spill_free(s);

	struct lh_spill *bad = lh_spill_new("/nonexistent/dir");
	errno = 0;
	ok(lh_spill_put(bad, "x", 1) == LH_SPILL_NONE && errno == ENOENT, "no directory: refused with errno");
	lh_spill_free(bad);
}

/* Strings that lie in a file the spill refers to are kept as their place
 * in it: nothing written, read back from the file, release leaves them. */
static void test_spill_refs(void)
{
	char path[] = "/tmp/livehud-test-refs-XXXXXX";
	int fd = mkstemp(path);
	const char *text = "line one\nline two\n";
	ok(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text), "a file to refer to");
	struct lh_spill *s = lh_spill_new(NULL);
	ok(lh_spill_refer(s, "/dev/null") < 0, "only a regular file is referred to");
	uint64_t copied = lh_spill_put_at(s, "line two", 8, 9);
	ok(!lh_spill_is_ref(copied) && lh_spill_bytes(s) == 8, "without a file, put_at copies");
	ok(lh_spill_refer(s, path) == 0, "a regular file is");
	uint64_t ref = lh_spill_put_at(s, "line two", 8, 9);
	uint64_t not_in_file = lh_spill_put_at(s, "elsewhere", 9, -1);
	ok(lh_spill_is_ref(ref) && !lh_spill_is_ref(not_in_file) && !lh_spill_is_ref(LH_SPILL_NONE),
	   "a string in the file is a place in it; others are copied");
	ok(lh_spill_bytes(s) == 17, "nothing written for the place");
	lh_spill_release(s, ref);
	struct lh_buf b = LH_BUF_INIT;
	ok(lh_spill_get(s, ref, 8, &b) == 0 && strcmp(b.data, "line two") == 0, "read back from the file");
	lh_buf_reset(&b);
	ok(lh_spill_get(s, copied, 8, &b) == 0 && strcmp(b.data, "line two") == 0,
	   "releasing a place releases no copied string");
	ok(ftruncate(fd, 4) == 0, "the file cut short");
	lh_buf_reset(&b);
	ok(lh_spill_get(s, ref, 8, &b) < 0 && errno == EIO, "a place past its end is gone (EIO)");
	lh_buf_free(&b);
	lh_spill_free(s);
	close(fd);
	unlink(path);
}

/* Regions come mapped (ahead by the thread, or at once), whole and apart;
 * one given back comes out again, as it was. */
static void test_pages(void)
{
	struct lh_pages *p = lh_pages_new();
	unsigned char *r[6];
	bool apart = true, aligned = true;
	for (int i = 0; i < 6; i++) {
		r[i] = lh_pages_get(p);
		aligned = aligned && r[i] && ((uintptr_t)r[i] & (LH_PAGES_SIZE - 1)) == 0;
		if (r[i])
			memset(r[i], i + 1, LH_PAGES_SIZE);
	}
	for (int i = 0; i < 6 && aligned; i++)
		for (int j = 0; j < 6; j++)
			apart = apart && (i == j || r[i][0] == i + 1) && (i == j || r[i][LH_PAGES_SIZE - 1] == i + 1);
	ok(aligned, "six regions, each on a %u-byte boundary", LH_PAGES_SIZE);
	ok(apart, "each whole and its own");
	lh_pages_put(p, r[5]);
	unsigned char *again = lh_pages_get(p);
	ok(again == r[5] && again[LH_PAGES_SIZE / 2] == 6, "a region given back is the next one got, as it was");
	for (int i = 0; i < 6; i++)
		lh_pages_put(p, r[i]);
	lh_pages_free(p);
	lh_pages_free(NULL);
	ok(true, "freed with regions kept and the thread running");
}

/* Pieces stay apart and aligned, a reset takes them all back and the
 * standard blocks are used again; a piece past a block gets its own. */
static void test_arena(void)
{
	struct lh_arena *a = lh_arena_new();
	char *p[3000];
	bool apart = true, aligned = true;
	for (size_t i = 0; i < 3000; i++) {
		p[i] = lh_arena_alloc(a, 1 + i % 300);
		memset(p[i], (int)(i & 0x7f), 1 + i % 300);
		aligned = aligned && (uintptr_t)p[i] % alignof(max_align_t) == 0;
	}
	for (size_t i = 0; i < 3000; i++)
		for (size_t j = 0; j < 1 + i % 300; j++)
			apart = apart && p[i][j] == (char)(i & 0x7f);
	ok(apart, "3,000 pieces over several blocks keep their bytes");
	ok(aligned, "every piece is aligned for any type");
	char *big = lh_arena_alloc(a, 3 * LH_ARENA_BLOCK);
	memset(big, 1, 3 * LH_ARENA_BLOCK);
	char *after = lh_arena_alloc(a, 10);
	ok(after < big || after >= big + 3 * LH_ARENA_BLOCK, "a piece bigger than a block has its own");
	lh_arena_reset(a);
	ok(lh_arena_alloc(a, 16) == (void *)p[0], "after a reset the first block is used again");
	lh_arena_free(a);
	lh_arena_free(NULL);
}

int main(void)
{
	test_urls();
	test_stream_ids();
	test_hist();
	test_rejects();
	test_map();
	test_history();
	test_respcut();
	test_spill();
	test_spill_refs();
	test_pages();
	test_arena();
	return tap_done();
}
