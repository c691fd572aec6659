/* wsproto: the WebSocket framing the bridge speaks with its clients
 * (RFC 6455 section 5) on the raw connection libwebsockets hands over:
 * what a client sends, read frame by frame with every rule a server must
 * enforce, and the frames the bridge sends. */
#ifndef LH_WSPROTO_H
#define LH_WSPROTO_H
#include "lib/buf.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lh_wsp_opcode {
	LH_WSP_TEXT = 0x1,
	LH_WSP_CLOSE = 0x8,
	LH_WSP_PING = 0x9,
	LH_WSP_PONG = 0xA,
};

/* Status codes of a close (RFC 6455 7.4.1). */
#define LH_WSP_NORMAL 1000
#define LH_WSP_GOING_AWAY 1001
#define LH_WSP_PROTOCOL_ERROR 1002
#define LH_WSP_INVALID_DATA 1007
#define LH_WSP_TOO_BIG 1009

#define LH_WSP_CONTROL_MAX 125

/* What reading stopped for. */
enum lh_wsp_got {
	LH_WSP_GOT_MORE,  /* all that was given is read: nothing to answer */
	LH_WSP_GOT_PING,  /* answer with a pong carrying control */
	LH_WSP_GOT_PONG,
	LH_WSP_GOT_CLOSE, /* the client closes, with code (0: none given) */
	LH_WSP_GOT_FAIL,  /* the client broke a rule: close with code and why */
};

/* A client's side of the connection, read as it comes. Callers read only
 * the last four fields, after the answer that names them. */
struct lh_wsp_rx {
	uint64_t max_message;
	unsigned char hdr[14];
	size_t hdr_have, hdr_need;
	uint64_t left;          /* payload bytes of this frame still to come */
	unsigned char mask[4];
	unsigned mask_at;
	unsigned opcode;
	bool fin;
	bool in_message;        /* a text or binary message has more to come */
	bool text;              /* ...and it is text */
	uint64_t message_len;
	uint32_t utf8;          /* the text's UTF-8 so far (0: between characters) */
	unsigned char control[LH_WSP_CONTROL_MAX];
	size_t control_len;
	uint16_t code;
	const char *why;        /* static text */
};

/* Messages longer than max_message fail with LH_WSP_TOO_BIG. */
void lh_wsp_rx_init(struct lh_wsp_rx *rx, uint64_t max_message);
/* Reads from in until a frame wants an answer or len is used up; *used
 * says how much was read. After LH_WSP_GOT_FAIL or _CLOSE, read no more. */
enum lh_wsp_got lh_wsp_rx_feed(struct lh_wsp_rx *rx, const unsigned char *in, size_t len, size_t *used);

/* Appends a whole, unmasked server frame. */
void lh_wsp_frame_append(struct lh_buf *out, enum lh_wsp_opcode op, const void *data, size_t len);
/* Appends a close frame with code and reason (static, short). */
void lh_wsp_close_append(struct lh_buf *out, uint16_t code, const char *why);

#endif
