#include "config.h"
#include "kstate.h"

#include <cJSON.h>
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

static size_t lh_agent_list(struct lh_kstate *k, const cJSON *arr, enum lh_agent_life life)
{
	size_t n = 0;
	for (const cJSON *a = cJSON_IsArray(arr) ? arr->child : NULL; a; a = a->next, n++)
		if (cJSON_IsString(a))
			lh_set_agent(k, a->valuestring, life);
	return n;
}

static void lh_copy_string(char *dst, size_t len, const cJSON *v)
{
	if (cJSON_IsString(v))
		snprintf(dst, len, "%s", v->valuestring);
}

static unsigned lh_state_update(struct lh_kstate *k, const cJSON *m)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(m, "state");
	if (!cJSON_IsObject(st))
		return 0;
	char before[sizeof k->status];
	memcpy(before, k->status, sizeof before);
	long long tokens = k->tokens;
	size_t counts = k->active + k->completed * 1000 + k->failed * 1000000;
	lh_copy_string(k->status, sizeof k->status, cJSON_GetObjectItemCaseSensitive(st, "status"));
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(st, "total_tokens_used");
	if (cJSON_IsNumber(tok))
		k->tokens = (long long)tok->valuedouble;
	lh_copy_string(k->start, sizeof k->start, cJSON_GetObjectItemCaseSensitive(st, "start_time"));
	lh_copy_string(k->end, sizeof k->end, cJSON_GetObjectItemCaseSensitive(st, "end_time"));
	k->active = lh_agent_list(k, cJSON_GetObjectItemCaseSensitive(st, "active_agents"), LH_LIFE_ACTIVE);
	k->completed = lh_agent_list(k, cJSON_GetObjectItemCaseSensitive(st, "completed_agents"), LH_LIFE_COMPLETED);
	k->failed = lh_agent_list(k, cJSON_GetObjectItemCaseSensitive(st, "failed_agents"), LH_LIFE_FAILED);
	k->known = true;
	if (strcmp(k->status, "awaitingapproval") != 0 && k->approval && strcmp(before, k->status) != 0)
		k->approval = false; /* the run moved on: the approval was given */
	if (strcmp(before, k->status) != 0)
		return LH_KS_STATUS;
	return tokens != k->tokens || counts != k->active + k->completed * 1000 + k->failed * 1000000 ? LH_KS_DETAIL : 0;
}

unsigned lh_kstate_apply(struct lh_kstate *k, const char *type, const void *json)
{
	const cJSON *m = json;
	const cJSON *agent = cJSON_GetObjectItemCaseSensitive(m, "agent_id");
	const char *id = cJSON_IsString(agent) ? agent->valuestring : "SYSTEM";
	if (strcmp(type, "state_update") == 0)
		return lh_state_update(k, m);
	if (strcmp(type, "agent_started") == 0 || strcmp(type, "agent_completed") == 0 ||
	    strcmp(type, "agent_failed") == 0) {
		enum lh_agent_life life = type[6] == 's' ? LH_LIFE_ACTIVE : type[6] == 'c' ? LH_LIFE_COMPLETED
											: LH_LIFE_FAILED;
		lh_set_agent(k, id, life);
		snprintf(k->last_agent, sizeof k->last_agent, "%s", id);
		k->last_life = life;
		return LH_KS_AGENT;
	}
	if (strcmp(type, "intervention_event") == 0) {
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(m, "payload"), "reason");
		k->approval = true;
		snprintf(k->approval_reason, sizeof k->approval_reason, "%s",
			 cJSON_IsString(reason) ? reason->valuestring : "(no reason given)");
		snprintf(k->approval_agent, sizeof k->approval_agent, "%s", id);
		return LH_KS_APPROVAL;
	}
	k->unknown_frames++;
	return LH_KS_UNKNOWN;
}
