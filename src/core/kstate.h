/* kstate: what only the kernel's WebSocket tells about a run: its status,
 * its agents' lifecycle, tokens used, start and end, and whether it waits
 * for a human approval. Fed by the non-event frames of PROTOCOL.md 2. */
#ifndef LH_KSTATE_H
#define LH_KSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LH_KSTATE_MAX_AGENTS 256

enum lh_agent_life { LH_LIFE_UNKNOWN, LH_LIFE_ACTIVE, LH_LIFE_COMPLETED, LH_LIFE_FAILED };

struct lh_kstate {
	bool known;             /* a state_update has arrived */
	char status[24];        /* running, completed, failed, awaitingapproval, idle */
	long long tokens;       /* -1 when not given */
	char start[40], end[40];
	size_t active, completed, failed;
	struct { char id[64]; enum lh_agent_life life; } agents[LH_KSTATE_MAX_AGENTS];
	size_t nagents;
	bool approval;          /* an intervention_event is pending */
	char approval_reason[256];
	char approval_agent[64];
	uint64_t unknown_frames;
	char last_agent[64];    /* the agent of the last lifecycle frame */
	enum lh_agent_life last_life;
};

enum {
	LH_KS_STATUS = 1 << 0,   /* the run's status changed */
	LH_KS_AGENT = 1 << 1,    /* an agent started, completed or failed */
	LH_KS_APPROVAL = 1 << 2, /* an approval is now required */
	LH_KS_UNKNOWN = 1 << 3,  /* a frame type we do not know, counted */
	LH_KS_DETAIL = 1 << 4,   /* tokens or agent counts moved */
};

void lh_kstate_init(struct lh_kstate *k);
const char *lh_agent_life_name(enum lh_agent_life life);
/* Applies one frame (a cJSON object) of the given type; returns what changed. */
unsigned lh_kstate_apply(struct lh_kstate *k, const char *type, const void *json);
enum lh_agent_life lh_kstate_agent(const struct lh_kstate *k, const char *agent_id);

#endif
