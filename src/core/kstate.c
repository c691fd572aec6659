#include "config.h"
#include "kstate.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

void lh_kstate_init(struct lh_kstate *k)
{
	memset(k, 0, sizeof *k);
	k->tokens = -1;
}

const char *lh_agent_life_name(enum lh_agent_life life)
{
	switch (life) {
	case LH_LIFE_ACTIVE: return "started";
	case LH_LIFE_COMPLETED: return "completed";
	case LH_LIFE_FAILED: return "failed";
	default: return "unknown";
	}
}

static void lh_set_agent(struct lh_kstate *k, const char *id, enum lh_agent_life life)
{
	for (size_t i = 0; i < k->nagents; i++) {
		if (strcmp(k->agents[i].id, id) == 0) {
			k->agents[i].life = life;
			return;
		}
	}
	if (k->nagents == LH_KSTATE_MAX_AGENTS)
		return; /* a run of more agents shows the first ones */
	snprintf(k->agents[k->nagents].id, sizeof k->agents[0].id, "%s", id);
	k->agents[k->nagents++].life = life;
}

enum lh_agent_life lh_kstate_agent(const struct lh_kstate *k, const char *agent_id)
{
	for (size_t i = 0; i < k->nagents; i++)
		if (strcasecmp(k->agents[i].id, agent_id) == 0)
			return k->agents[i].life;
	return LH_LIFE_UNKNOWN;
}

static void lh_copy(char *dst, size_t len, const char *v)
{
	if (v)
		snprintf(dst, len, "%s", v);
}

static unsigned lh_state_update(struct lh_kstate *k, const struct lh_kframe *f)
{
	if (!f->status)
		return 0;
	char before[sizeof k->status];
	memcpy(before, k->status, sizeof before);
	long long tokens = k->tokens;
	size_t counts = k->active + k->completed * 1000 + k->failed * 1000000;
	lh_copy(k->status, sizeof k->status, f->status);
	if (f->tokens >= 0)
		k->tokens = f->tokens;
	lh_copy(k->start, sizeof k->start, f->start);
	lh_copy(k->end, sizeof k->end, f->end);
	static const enum lh_agent_life lives[LH_KF_LISTS] = { LH_LIFE_ACTIVE, LH_LIFE_COMPLETED, LH_LIFE_FAILED };
	for (int l = 0; l < LH_KF_LISTS; l++)
		for (size_t i = 0; i < f->nagents[l]; i++)
			lh_set_agent(k, f->agents[l][i], lives[l]);
	k->active = f->nagents[LH_KF_ACTIVE];
	k->completed = f->nagents[LH_KF_COMPLETED];
	k->failed = f->nagents[LH_KF_FAILED];
	k->known = true;
	if (strcmp(k->status, "awaitingapproval") != 0 && k->approval && strcmp(before, k->status) != 0)
		k->approval = false; /* the run moved on: the approval was given */
	if (strcmp(before, k->status) != 0)
		return LH_KS_STATUS;
	return tokens != k->tokens || counts != k->active + k->completed * 1000 + k->failed * 1000000 ? LH_KS_DETAIL : 0;
}

unsigned lh_kstate_apply(struct lh_kstate *k, const struct lh_kframe *f)
{
	switch (f->type) {
	case LH_KF_STATE:
		return lh_state_update(k, f);
	case LH_KF_AGENT:
		lh_set_agent(k, f->agent_id, f->life);
		lh_copy(k->last_agent, sizeof k->last_agent, f->agent_id);
		k->last_life = f->life;
		return LH_KS_AGENT;
	case LH_KF_INTERVENTION:
		k->approval = true;
		lh_copy(k->approval_reason, sizeof k->approval_reason, f->text ? f->text : "(no reason given)");
		lh_copy(k->approval_agent, sizeof k->approval_agent, f->agent_id);
		return LH_KS_APPROVAL;
	default:
		k->unknown_frames++;
		return LH_KS_UNKNOWN;
	}
}
