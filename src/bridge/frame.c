#include "config.h"
#include "frame.h"
#include "lib/json.h"
#include "lib/timeutil.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* A frame is one block: its header, its run id, then its text. The text
 * is appended to the buffer begun here, and lh_frame_finish takes the
 * buffer's memory as the frame. */
static void lh_frame_begin(struct lh_buf *b, const char *run_id, size_t text_guess)
{
	size_t idlen = strlen(run_id) + 1, head = sizeof(struct lh_frame) + idlen;
	lh_buf_reserve(b, head + text_guess);
	b->len = head;
	memcpy(b->data + sizeof(struct lh_frame), run_id, idlen);
}

static struct lh_frame *lh_frame_finish(struct lh_buf *b, uint64_t seq)
{
	struct lh_frame *f = (struct lh_frame *)b->data;
	size_t head = sizeof *f + strlen(f->run_id) + 1;
	f->refs = 1;
	f->seq = seq;
	f->gseq = 0;
	f->recv_mono_us = lh_time_mono_us();
	f->len = b->len - head;
	f->data = b->data + head;
	return f; /* the buffer's memory is the frame's now */
}

struct lh_frame *lh_frame_new(const char *text, size_t len, const char *run_id, uint64_t seq)
{
	struct lh_buf b = LH_BUF_INIT;
	lh_frame_begin(&b, run_id, len);
	lh_buf_append(&b, text, len);
	return lh_frame_finish(&b, seq);
}

struct lh_frame *lh_frame_new_event(const struct lh_event *ev, uint64_t seq, const char *epoch,
				    uint64_t gseq, const char *gepoch)
{
	struct lh_buf b = LH_BUF_INIT;
	/* The frame is the payload's fields plus an envelope of about 200 bytes. */
	lh_frame_begin(&b, ev->run_id, ev->raw_len + 256);
	lh_frame_log_event(&b, ev, seq, epoch, gseq, gepoch);
	struct lh_frame *f = lh_frame_finish(&b, seq);
	f->gseq = gseq;
	return f;
}

struct lh_frame *lh_frame_ref(struct lh_frame *f)
{
	f->refs++;
	return f;
}

void lh_frame_unref(struct lh_frame *f)
{
	if (f && --f->refs == 0)
		free(f);
}

void lh_frame_ring_init(struct lh_frame_ring *r, size_t limit)
{
	*r = (struct lh_frame_ring){ .q = LH_RING_INIT(sizeof(struct lh_frame *)), .limit = limit };
}

void lh_frame_ring_push(struct lh_frame_ring *r, struct lh_frame *f)
{
	if (!r->limit) {
		r->gone_seq = f->seq;
		r->gone_gseq = f->gseq;
		return;
	}
	if (r->q.n == r->limit)
		lh_frame_ring_pop(r);
	*(struct lh_frame **)lh_ring_push(&r->q) = lh_frame_ref(f);
	r->bytes += f->len;
}

struct lh_frame *lh_frame_ring_shift(struct lh_frame_ring *r)
{
	struct lh_frame **slot = lh_ring_shift(&r->q);
	if (!slot)
		return NULL;
	r->bytes -= (*slot)->len;
	return *slot;
}

void lh_frame_ring_pop(struct lh_frame_ring *r)
{
	struct lh_frame *f = lh_frame_ring_shift(r);
	if (f) {
		r->gone_seq = f->seq;
		r->gone_gseq = f->gseq;
	}
	lh_frame_unref(f);
}

struct lh_frame *lh_frame_ring_at(const struct lh_frame_ring *r, size_t i)
{
	struct lh_frame **slot = lh_ring_at(&r->q, i);
	return slot ? *slot : NULL;
}

void lh_frame_ring_clear(struct lh_frame_ring *r)
{
	while (r->q.n)
		lh_frame_ring_pop(r);
	lh_ring_free(&r->q);
}

/* Appends a decimal number without printf (this runs once per frame). */
static void lh_put_u64(struct lh_buf *out, uint64_t v)
{
	char num[24];
	int n = 0;
	do
		num[sizeof num - 1 - n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < (int)sizeof num);
	lh_buf_append(out, num + sizeof num - n, (size_t)n);
}

/* payload: message, metadata (INFO when absent) and category first, as the
 * console reads them, then every other field as it came, gathered by the
 * parser in the same pass that read the payload. */
static void lh_frame_payload(struct lh_buf *out, const struct lh_event *ev)
{
	lh_buf_puts(out, "\"payload\":{\"message\":");
	lh_json_put_string(out, ev->message);
	lh_buf_puts(out, ",\"metadata\":");
	lh_json_put_string(out, ev->metadata);
	lh_buf_puts(out, ",\"category\":");
	lh_json_put_string(out, ev->category);
	if (ev->forward)
		lh_buf_puts(out, ev->forward);
	lh_buf_putc(out, '}');
}

void lh_frame_log_event(struct lh_buf *out, const struct lh_event *ev, uint64_t seq,
			const char *epoch, uint64_t gseq, const char *gepoch)
{
	char ts[40];
	lh_time_format_rfc3339(ev->ts_us, ts, sizeof ts);
	lh_buf_puts(out, "{\"type\":\"log_event\",\"agent_id\":");
	if (ev->agent_absent)
		lh_buf_puts(out, "null");
	else
		lh_json_put_string(out, ev->agent_id);
	lh_buf_putc(out, ',');
	lh_frame_payload(out, ev);
	lh_buf_puts(out, ",\"timestamp\":\"");
	lh_buf_puts(out, ts);
	lh_buf_puts(out, "\",\"run_id\":");
	lh_json_put_string(out, ev->run_id);
	lh_buf_puts(out, ",\"seq\":");
	lh_put_u64(out, seq);
	lh_buf_puts(out, ",\"epoch\":\"");
	lh_buf_puts(out, epoch);
	lh_buf_puts(out, "\",\"gseq\":");
	lh_put_u64(out, gseq);
	lh_buf_puts(out, ",\"gepoch\":\"");
	lh_buf_puts(out, gepoch);
	lh_buf_puts(out, "\"}");
}

void lh_frame_gap(struct lh_buf *out, const char *run_id, uint64_t from, uint64_t to,
		  const char *epoch, const char *reason)
{
	lh_buf_puts(out, "{\"type\":\"gap\",\"run_id\":");
	lh_json_put_string(out, run_id);
	lh_buf_printf(out, ",\"from\":%llu,\"to\":%llu,\"epoch\":\"%s\",\"reason\":\"%s\"}",
		      (unsigned long long)from, (unsigned long long)to, epoch, reason);
}

void lh_frame_interrupted(struct lh_buf *out, int64_t since_us, int64_t until_us)
{
	char since[40], until[40];
	lh_time_format_rfc3339(since_us, since, sizeof since);
	lh_time_format_rfc3339(until_us, until, sizeof until);
	lh_buf_printf(out, "{\"type\":\"gap\",\"run_id\":\"*\",\"reason\":\"source_interrupted\","
			   "\"since\":\"%s\",\"until\":\"%s\"}", since, until);
}
