/* wsproto: RFC 6455 framing, the server's side. Clients have nothing to
 * say to the bridge but pings, pongs and closes: their messages are
 * checked (sizes, sequence, UTF-8 of text) and let go, never kept. */
#include "config.h"
#include "wsproto.h"
#include "lib/text.h"

#include <string.h>

void lh_wsp_rx_init(struct lh_wsp_rx *rx, uint64_t max_message)
{
	memset(rx, 0, sizeof *rx);
	rx->max_message = max_message;
}

static enum lh_wsp_got lh_wsp_fail(struct lh_wsp_rx *rx, uint16_t code, const char *why)
{
	rx->code = code;
	rx->why = why;
	return LH_WSP_GOT_FAIL;
}

/* UTF-8 taken a byte at a time, for text that comes in fragments (whole
 * texts go to lh_utf8_valid, same rules). *st is 0 between characters, else the
 * continuation bytes still due (low byte) and the range the next one must
 * fall in (the next two bytes): that range is what rules out overlong
 * forms, surrogates and code points past U+10FFFF. */
static bool lh_utf8_step(uint32_t *st, unsigned char c)
{
	uint32_t lo = 0x80, hi = 0xBF, due;
	if (*st) {
		if (c < ((*st >> 8) & 0xFF) || c > ((*st >> 16) & 0xFF))
			return false;
		due = (*st & 0xFF) - 1;
	} else if (c < 0x80) {
		return true;
	} else if (c >= 0xC2 && c < 0xE0) {
		due = 1;
	} else if (c >= 0xE0 && c < 0xF0) {
		due = 2;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c < 0xF5) {
		due = 3;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return false;
	}
	*st = due ? due | lo << 8 | hi << 16 : 0;
	return true;
}

/* The first two bytes are in: the frame's kind checked, and how long its
 * header is. */
static enum lh_wsp_got lh_wsp_start(struct lh_wsp_rx *rx)
{
	unsigned char b0 = rx->hdr[0], b1 = rx->hdr[1];
	rx->fin = b0 & 0x80;
	rx->opcode = b0 & 0x0F;
	if (b0 & 0x70)
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "reserved bits set");
	if (!(b1 & 0x80))
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "unmasked frame from a client");
	unsigned len7 = b1 & 0x7F;
	switch (rx->opcode) {
	case 0x0:
		if (!rx->in_message)
			return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "continuation with no message begun");
		break;
	case 0x1:
	case 0x2:
		if (rx->in_message)
			return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "new message before the last one ended");
		rx->in_message = true;
		rx->text = rx->opcode == 0x1;
		rx->message_len = 0;
		rx->utf8 = 0;
		break;
	case LH_WSP_CLOSE:
	case LH_WSP_PING:
	case LH_WSP_PONG:
		if (!rx->fin || len7 > LH_WSP_CONTROL_MAX)
			return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "fragmented or long control frame");
		rx->control_len = 0;
		break;
	default:
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "unknown opcode");
	}
	rx->hdr_need = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
	return LH_WSP_GOT_MORE;
}

/* The whole header is in: the payload's length and mask. */
static enum lh_wsp_got lh_wsp_header(struct lh_wsp_rx *rx)
{
	unsigned len7 = rx->hdr[1] & 0x7F;
	size_t at = 2, ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
	uint64_t len = ext ? 0 : len7;
	for (size_t i = 0; i < ext; i++)
		len = len << 8 | rx->hdr[at++];
	if (len >> 63)
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "payload length with its top bit set");
	memcpy(rx->mask, rx->hdr + at, 4);
	rx->mask_at = 0;
	rx->left = len;
	if (rx->opcode < LH_WSP_CLOSE) {
		if (len > rx->max_message - rx->message_len)
			return lh_wsp_fail(rx, LH_WSP_TOO_BIG, "message too large");
		rx->message_len += len;
	}
	return LH_WSP_GOT_MORE;
}

static enum lh_wsp_got lh_wsp_close_frame(struct lh_wsp_rx *rx)
{
	rx->code = 0;
	if (rx->control_len == 0)
		return LH_WSP_GOT_CLOSE;
	if (rx->control_len == 1)
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "close frame of one byte");
	uint16_t code = (uint16_t)(rx->control[0] << 8 | rx->control[1]);
	/* what an endpoint may send: 1004-1006 and 1015 are never on the wire */
	bool known = (code >= 1000 && code <= 1014 && (code < 1004 || code > 1006)) || (code >= 3000 && code <= 4999);
	if (!known)
		return lh_wsp_fail(rx, LH_WSP_PROTOCOL_ERROR, "close code not allowed");
	if (!lh_utf8_valid((const char *)rx->control + 2, rx->control_len - 2, NULL))
		return lh_wsp_fail(rx, LH_WSP_INVALID_DATA, "close reason not UTF-8");
	rx->code = code;
	return LH_WSP_GOT_CLOSE;
}

/* The frame's last byte is in. */
static enum lh_wsp_got lh_wsp_end(struct lh_wsp_rx *rx)
{
	rx->hdr_need = rx->hdr_have = 0;
	switch (rx->opcode) {
	case LH_WSP_CLOSE:
		return lh_wsp_close_frame(rx);
	case LH_WSP_PING:
		return LH_WSP_GOT_PING;
	case LH_WSP_PONG:
		return LH_WSP_GOT_PONG;
	default:
		break;
	}
	if (rx->fin) {
		rx->in_message = false;
		if (rx->text && rx->utf8)
			return lh_wsp_fail(rx, LH_WSP_INVALID_DATA, "text message not UTF-8");
	}
	return LH_WSP_GOT_MORE;
}

/* Payload bytes: unmasked, kept when a control frame's, checked when
 * text, else let go. */
static enum lh_wsp_got lh_wsp_payload(struct lh_wsp_rx *rx, const unsigned char *in, size_t n)
{
	bool control = rx->opcode >= LH_WSP_CLOSE, text = !control && rx->text;
	for (size_t i = 0; i < n && (control || text); i++) {
		unsigned char c = in[i] ^ rx->mask[(rx->mask_at + i) & 3];
		if (control)
			rx->control[rx->control_len++] = c;
		else if (!lh_utf8_step(&rx->utf8, c))
			return lh_wsp_fail(rx, LH_WSP_INVALID_DATA, "text message not UTF-8");
	}
	rx->mask_at = (unsigned)((rx->mask_at + n) & 3);
	rx->left -= n;
	return LH_WSP_GOT_MORE;
}

enum lh_wsp_got lh_wsp_rx_feed(struct lh_wsp_rx *rx, const unsigned char *in, size_t len, size_t *used)
{
	size_t at = 0;
	enum lh_wsp_got got = LH_WSP_GOT_MORE;
	while (at < len && got == LH_WSP_GOT_MORE) {
		if (!rx->hdr_need)
			rx->hdr_need = 2;
		if (rx->hdr_have < rx->hdr_need) {
			rx->hdr[rx->hdr_have++] = in[at++];
			if (rx->hdr_have == 2)
				got = lh_wsp_start(rx);
			if (got == LH_WSP_GOT_MORE && rx->hdr_have == rx->hdr_need) {
				got = lh_wsp_header(rx);
				if (got == LH_WSP_GOT_MORE && !rx->left)
					got = lh_wsp_end(rx);
			}
			continue;
		}
		size_t n = len - at < rx->left ? len - at : (size_t)rx->left;
		got = lh_wsp_payload(rx, in + at, n);
		at += n;
		if (got == LH_WSP_GOT_MORE && !rx->left)
			got = lh_wsp_end(rx);
	}
	*used = at;
	return got;
}

void lh_wsp_frame_append(struct lh_buf *out, enum lh_wsp_opcode op, const void *data, size_t len)
{
	unsigned char hdr[10];
	size_t n = 2;
	hdr[0] = (unsigned char)(0x80 | op); /* FIN: the bridge never fragments */
	if (len < 126) {
		hdr[1] = (unsigned char)len;
	} else if (len < 65536) {
		hdr[1] = 126;
		hdr[2] = (unsigned char)(len >> 8);
		hdr[3] = (unsigned char)len;
		n = 4;
	} else {
		hdr[1] = 127;
		for (int i = 0; i < 8; i++)
			hdr[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
		n = 10;
	}
	lh_buf_append(out, hdr, n);
	lh_buf_append(out, data, len);
}

void lh_wsp_close_append(struct lh_buf *out, uint16_t code, const char *why)
{
	unsigned char body[LH_WSP_CONTROL_MAX];
	size_t n = strlen(why);
	if (n > sizeof body - 2)
		n = sizeof body - 2;
	body[0] = (unsigned char)(code >> 8);
	body[1] = (unsigned char)code;
	memcpy(body + 2, why, n);
	lh_wsp_frame_append(out, LH_WSP_CLOSE, body, n + 2);
}
