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

/* One frame of the kernel's stream that is not an event, as the WebSocket
 * source read it (PROTOCOL.md section 2; gaps from a bridge, section 3).
 * Strings are valid during the call that hands the frame over. */
enum lh_kframe_type {
	LH_KF_STATE,        /* state_update */
	LH_KF_AGENT,        /* agent_started, agent_completed, agent_failed */
	LH_KF_INTERVENTION, /* the run waits for a human approval */
	LH_KF_ERROR,        /* {"error": ...} */
	LH_KF_GAP,          /* a bridge's gap: events missed from..to */
	LH_KF_UNKNOWN,      /* a type we do not know */
};

enum { LH_KF_ACTIVE, LH_KF_COMPLETED, LH_KF_FAILED, LH_KF_LISTS };

struct lh_kframe {
	enum lh_kframe_type type;
	const char *run_id;      /* the run it concerns */
	const char *agent_id;    /* AGENT, INTERVENTION: "SYSTEM" when null */
	enum lh_agent_life life; /* AGENT */
	const char *text;        /* INTERVENTION: the reason; ERROR: the error; GAP: the reason */
	/* STATE (status NULL when the frame has no state) */
	const char *status, *start, *end;
	long long tokens;        /* -1 when not given */
	const char *const *agents[LH_KF_LISTS]; /* active, completed and failed agents */
	size_t nagents[LH_KF_LISTS];
	/* GAP: from > to means the history restarted (a new epoch) */
	uint64_t from, to;
	bool all_runs;           /* across every run (/ws/runs) */
	bool sparse;             /* numbered from a stream: from..to is a span, not a count */
	/* GAP of reason source_interrupted: no numbers, the bridge's source was
	 * down from since to until (RFC 3339 text) */
	bool interrupted;
	const char *since, *until;
};

void lh_kstate_init(struct lh_kstate *k);
const char *lh_agent_life_name(enum lh_agent_life life);
/* Applies a STATE, AGENT, INTERVENTION or UNKNOWN frame; returns what
 * changed (LH_KS_*). */
unsigned lh_kstate_apply(struct lh_kstate *k, const struct lh_kframe *f);
enum lh_agent_life lh_kstate_agent(const struct lh_kstate *k, const char *agent_id);

#endif
