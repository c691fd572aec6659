#include "config.h"
#include "frame.h"
#include "json.h"
#include "timeutil.h"
#include "xalloc.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

struct lh_frame *lh_frame_new(const char *text, size_t len, const char *run_id, uint64_t seq)
{
	size_t idlen = strlen(run_id) + 1;
	/* One block: header, run id, then LWS_PRE spare bytes and the text. */
	struct lh_frame *f = lh_xmalloc(sizeof *f + idlen + LWS_PRE + len);
	f->refs = 1;
	f->seq = seq;
	f->recv_mono_us = lh_time_mono_us();
	f->len = len;
	memcpy(f->run_id, run_id, idlen);
	f->data = (unsigned char *)f->run_id + idlen + LWS_PRE;
	memcpy(f->data, text, len);
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

void lh_frame_ring_init(struct lh_frame_ring *r, size_t cap)
{
	r->head = r->n = r->bytes = 0;
	r->cap = cap;
	r->slot = cap ? lh_xcalloc(cap, sizeof *r->slot) : NULL;
}

void lh_frame_ring_push(struct lh_frame_ring *r, struct lh_frame *f)
{
	if (!r->cap)
		return;
	if (r->n == r->cap)
		lh_frame_ring_pop(r);
	r->slot[(r->head + r->n++) % r->cap] = lh_frame_ref(f);
	r->bytes += f->len;
}

void lh_frame_ring_pop(struct lh_frame_ring *r)
{
	if (!r->n)
		return;
	struct lh_frame *f = r->slot[r->head];
	r->bytes -= f->len;
	lh_frame_unref(f);
	r->head = (r->head + 1) % r->cap;
	r->n--;
}

struct lh_frame *lh_frame_ring_at(const struct lh_frame_ring *r, size_t i)
{
	return i < r->n ? r->slot[(r->head + i) % r->cap] : NULL;
}

void lh_frame_ring_clear(struct lh_frame_ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		lh_frame_unref(r->slot[(r->head + i) % r->cap]);
	free(r->slot);
	r->slot = NULL;
	r->head = r->n = r->cap = r->bytes = 0;
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
