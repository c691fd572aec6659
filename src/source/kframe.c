#include "config.h"
#include "kframe.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Strings are decoded into one buffer and pointed at once it stops
 * growing: lh_kframe_put returns a handle, lh_kframe_get the string. */
static size_t lh_kframe_put(struct lh_kframe_text *t, const char *s, size_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->offs = lh_xrealloc(t->offs, t->cap * sizeof *t->offs);
	}
	t->offs[t->n] = t->strs.len;
	lh_buf_append(&t->strs, s, len);
	lh_buf_putc(&t->strs, '\0');
	return ++t->n;
}

/* A string member decoded, or a number or other JSON value as its text;
 * 0 when absent or null. */
static size_t lh_kframe_value(struct lh_kframe_text *t, const struct lh_json_span *sp)
{
	if (!sp || sp->value[0] == 'n')
		return 0;
	struct lh_buf tmp = LH_BUF_INIT;
	if (lh_json_is_string(sp))
		lh_json_unescape(&tmp, sp->value, sp->value_len);
	else
		lh_json_append_safe(&tmp, sp->value, sp->value_len);
	size_t h = lh_kframe_put(t, lh_buf_str(&tmp), tmp.len);
	lh_buf_free(&tmp);
	return h;
}

static size_t lh_kframe_string(struct lh_kframe_text *t, const struct lh_json_span *sp)
{
	return lh_json_is_string(sp) ? lh_kframe_value(t, sp) : 0;
}

static const char *lh_kframe_get(const struct lh_kframe_text *t, size_t h, const char *absent)
{
	return h ? t->strs.data + t->offs[h - 1] : absent;
}

/* The members of an object (or elements of an array) member. */
static size_t lh_kframe_members(const struct lh_json_span *sp, struct lh_json_span *out, size_t max)
{
	size_t n = 0;
	if (sp && (sp->value[0] == '{' || sp->value[0] == '['))
		lh_json_scan(sp->value, sp->value_len, out, max, &n);
	return n < max ? n : max;
}

#define LH_KFRAME_MAX_MEMBERS 64
#define LH_KFRAME_MAX_AGENTS 1024

static void lh_kframe_state(struct lh_kframe_text *t, const struct lh_json_span *top, size_t n,
			    struct lh_kframe *f)
{
	struct lh_json_span st[LH_KFRAME_MAX_MEMBERS];
	size_t nst = lh_kframe_members(lh_json_member(top, n, "state"), st, LH_KFRAME_MAX_MEMBERS);
	size_t status = lh_kframe_string(t, lh_json_member(st, nst, "status"));
	size_t start = lh_kframe_string(t, lh_json_member(st, nst, "start_time"));
	size_t end = lh_kframe_string(t, lh_json_member(st, nst, "end_time"));
	uint64_t tokens;
	f->tokens = lh_json_uint(lh_json_member(st, nst, "total_tokens_used"), &tokens) ? (long long)tokens : -1;
	static const char *const lists[LH_KF_LISTS] = { "active_agents", "completed_agents", "failed_agents" };
	size_t first[LH_KF_LISTS];
	struct lh_json_span *ids = lh_xmalloc(LH_KFRAME_MAX_AGENTS * sizeof *ids);
	for (int l = 0; l < LH_KF_LISTS; l++) {
		size_t nids = lh_kframe_members(lh_json_member(st, nst, lists[l]), ids, LH_KFRAME_MAX_AGENTS);
		first[l] = t->n;
		for (size_t i = 0; i < nids; i++)
			lh_kframe_string(t, &ids[i]);
		f->nagents[l] = t->n - first[l];
	}
	free(ids);
	/* Every string is in now: point at them. */
	t->ptrs = lh_xrealloc(t->ptrs, (t->n + 1) * sizeof *t->ptrs);
	for (size_t i = 0; i < t->n; i++)
		t->ptrs[i] = t->strs.data + t->offs[i];
	for (int l = 0; l < LH_KF_LISTS; l++)
		f->agents[l] = t->ptrs + first[l];
	f->status = status ? lh_kframe_get(t, status, NULL) : nst ? "" : NULL;
	f->start = lh_kframe_get(t, start, NULL);
	f->end = lh_kframe_get(t, end, NULL);
}

/* A gap says which numbers are missing, or (source_interrupted) that the
 * bridge's source was down for a while: then it has no numbers. */
static int lh_kframe_gap(const struct lh_json_span *top, size_t n, struct lh_kframe *f, const char **why)
{
	const struct lh_json_span *reason = lh_json_member(top, n, "reason");
	f->interrupted = reason && reason->value_len == 20 &&
			 memcmp(reason->value, "\"source_interrupted\"", 20) == 0;
	if (f->interrupted)
		return 0;
	/* A bridge reading a stream numbers by entry id (PROTOCOL.md section 6):
	 * its epochs start with "s" and its numbers skip. */
	const struct lh_json_span *epoch = lh_json_member(top, n, "epoch");
	f->sparse = epoch && epoch->value_len > 2 && memcmp(epoch->value, "\"s", 2) == 0;
	if (!lh_json_uint(lh_json_member(top, n, "from"), &f->from) ||
	    !lh_json_uint(lh_json_member(top, n, "to"), &f->to)) {
		*why = "a gap's from and to must be integers from 0 to 2^53";
		return -1;
	}
	return 0;
}

static enum lh_agent_life lh_kframe_life(const char *type)
{
	if (strcmp(type, "agent_started") == 0)
		return LH_LIFE_ACTIVE;
	if (strcmp(type, "agent_completed") == 0)
		return LH_LIFE_COMPLETED;
	return strcmp(type, "agent_failed") == 0 ? LH_LIFE_FAILED : LH_LIFE_UNKNOWN;
}

int lh_kframe_read(struct lh_kframe_text *t, const char *type, const struct lh_json_span *top, size_t n,
		   const char *run_id, struct lh_kframe *f, const char **why)
{
	lh_buf_reset(&t->strs);
	t->n = 0;
	memset(f, 0, sizeof *f);
	f->tokens = -1;
	f->life = lh_kframe_life(type);
	f->type = strcmp(type, "state_update") == 0 ? LH_KF_STATE
		  : f->life != LH_LIFE_UNKNOWN ? LH_KF_AGENT
		  : strcmp(type, "intervention_event") == 0 ? LH_KF_INTERVENTION
		  : strcmp(type, "error") == 0 ? LH_KF_ERROR
		  : strcmp(type, "gap") == 0 ? LH_KF_GAP : LH_KF_UNKNOWN;
	if (f->type == LH_KF_GAP && lh_kframe_gap(top, n, f, why) < 0)
		return -1;
	if (f->type == LH_KF_STATE) {
		lh_kframe_state(t, top, n, f);
	} else {
		struct lh_json_span payload[LH_KFRAME_MAX_MEMBERS];
		size_t np = lh_kframe_members(lh_json_member(top, n, "payload"), payload, LH_KFRAME_MAX_MEMBERS);
		size_t text = f->type == LH_KF_ERROR ? lh_kframe_value(t, lh_json_member(top, n, "error"))
			      : f->type == LH_KF_GAP ? lh_kframe_string(t, lh_json_member(top, n, "reason"))
						     : lh_kframe_string(t, lh_json_member(payload, np, "reason"));
		size_t agent = lh_kframe_string(t, lh_json_member(top, n, "agent_id"));
		size_t since = lh_kframe_string(t, lh_json_member(top, n, "since"));
		size_t until = lh_kframe_string(t, lh_json_member(top, n, "until"));
		size_t run = lh_kframe_string(t, lh_json_member(top, n, "run_id"));
		f->text = lh_kframe_get(t, text, NULL);
		f->agent_id = lh_kframe_get(t, agent, "SYSTEM");
		f->since = lh_kframe_get(t, since, "?");
		f->until = lh_kframe_get(t, until, "?");
		/* A gap across every run names run "*" (PROTOCOL.md section 3):
		 * it is shown in the run given, the one last seen. */
		f->all_runs = run && strcmp(lh_kframe_get(t, run, ""), "*") == 0;
		if (run && !f->all_runs)
			run_id = lh_kframe_get(t, run, run_id);
	}
	f->run_id = run_id ? run_id : "unknown";
	return 0;
}

void lh_kframe_text_free(struct lh_kframe_text *t)
{
	lh_buf_free(&t->strs);
	free(t->offs);
	free(t->ptrs);
	memset(t, 0, sizeof *t);
}
