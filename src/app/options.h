/* options: the config file, then the command line over it, into one
 * struct with defaults. Parsing never exits: it returns a status the caller acts on. */
#ifndef LH_OPTIONS_H
#define LH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LH_MAX_CHANNELS 32

enum lh_mode {
	LH_MODE_AUTO,  /* the HUD on a terminal, else plain */
	LH_MODE_PLAIN,
	LH_MODE_JSON,
	LH_MODE_EMIT,
	LH_MODE_BRIDGE,
	LH_MODE_RECORD,
};

#define LH_MAX_ORIGINS 16

struct lh_bridge_options {
	const char *listen;        /* HOST:PORT */
	size_t history;            /* events kept per run */
	size_t history_bytes;      /* their text, all runs together */
	size_t max_runs;
	size_t max_clients;
	size_t queue_msgs, queue_bytes; /* per client */
	size_t max_frame;          /* largest message a client may send */
	unsigned ping_s;
	const char *token;
	const char *token_file;
	const char *origins[LH_MAX_ORIGINS];
	size_t norigins;
	const char *tls_cert, *tls_key;
	bool verbose;              /* libwebsockets' own log too */
};

struct lh_emit_options {
	const char *run, *agent, *category, *message, *meta, *tool, *args, *call_id;
	long long duration_ms; /* -1: absent */
	bool raw;              /* publish stdin lines as they are */
};

enum lh_bell { LH_BELL_APPROVAL, LH_BELL_ERRORS, LH_BELL_NONE };

struct lh_options {
	enum lh_mode mode;
	const char *redis_url;
	const char *channels[LH_MAX_CHANNELS];
	size_t nchannels;
	const char *file;
	bool follow;
	const char *ws_url;   /* --ws */
	const char *ws_run;   /* --run */
	const char *ws_token; /* --token */
	const char *ws_ca;    /* --ca */
	bool ws_insecure;
	const char *kernel_url; /* --kernel; NULL: from ws_url */
	enum lh_bell bell;
	bool demo;
	uint64_t seed;
	double speed;
	size_t max_events;
	size_t max_bytes;
	size_t redis_timeout_s; /* PING Redis after this much silence; 0: never */
	const char *stream;     /* --stream: a Redis Stream instead of Pub/Sub */
	size_t backlog;         /* entries of it read first; SIZE_MAX: all */
	size_t maxlen;          /* emit, record: the stream's approximate length cap */
	size_t hold;            /* record: payloads held for a takeover */
	bool log_json;          /* bridge, record: log lines as JSON objects */
	bool ascii;
	bool no_color;
	const char *theme;  /* name or path; NULL: dark */
	struct lh_emit_options emit;
	struct lh_bridge_options bridge;
	/* private: the config file's text, which option values point into */
	char *config_text;
	bool channels_from_config;
	bool backlog_given;
};

enum lh_parse_status {
	LH_OPTS_RUN,
	LH_OPTS_EXIT_OK,    /* --help or --version was printed */
	LH_OPTS_EXIT_USAGE, /* a message was printed to stderr */
};

/* Fills *o from the config file, then argv (argv[1] may be "emit",
 * "bridge" or "record"); flags
 * on the command line win. The config file is --config PATH, else
 * $XDG_CONFIG_HOME/livehud/config (~/.config/livehud/config), if it exists.
 * Messages go to out/err. Free with lh_options_free in any case. */
enum lh_parse_status lh_options_parse(struct lh_options *o, int argc, char **argv, FILE *out,
				      FILE *err);
void lh_options_free(struct lh_options *o);
/* How messages of this mode start: "livehud", "livehud bridge", ... */
const char *lh_options_prog(const struct lh_options *o);

#endif
