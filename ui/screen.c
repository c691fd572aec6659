#include "config.h"
#include "screen.h"
#include "cells.h"
#include "lib/text.h"
#include "lib/xalloc.h"

#include <curses.h>
#include <term.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

static SCREEN *lh_scr;
static FILE *lh_tty_in;
static attr_t lh_attr[LH_ST_COUNT];
static short lh_pair[LH_ST_COUNT];
static bool lh_color_on;
static bool lh_ascii;

/* A crash must not leave the terminal raw and the cursor hidden: restore it,
 * then die of the same signal as we would have. */
static void lh_crash(int sig)
{
	if (lh_scr)
		endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void lh_catch_crashes(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction sa = { 0 };
		sa.sa_handler = lh_crash;
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

char *lh_screen_usable(void)
{
	const char *term = getenv("TERM");
	if (!term || !*term)
		return lh_xasprintf("TERM is not set");
	int err = 0;
	if (setupterm(NULL, STDOUT_FILENO, &err) != OK)
		return lh_xasprintf("cannot start curses on TERM=%s (%s)", term,
				    err == 0 ? "no such terminal type" : "no terminfo entry");
	const char *cup = tigetstr("cup");
	bool moves = cup && cup != (char *)-1;
	del_curterm(cur_term);
	if (!moves)
		return lh_xasprintf("TERM=%s cannot move the cursor", term);
	return NULL;
}

int lh_screen_open(bool mouse, char **cause)
{
	if (!isatty(STDIN_FILENO)) {
		lh_tty_in = fopen("/dev/tty", "r");
		if (!lh_tty_in) {
			*cause = lh_xasprintf("no terminal to read keys from: /dev/tty: %s", strerror(errno));
			return -1;
		}
	}
	lh_scr = newterm(NULL, stdout, lh_tty_in ? lh_tty_in : stdin);
	if (!lh_scr) {
		*cause = lh_xasprintf("cannot start curses on TERM=%s", getenv("TERM") ? getenv("TERM") : "");
		if (lh_tty_in)
			fclose(lh_tty_in);
		lh_tty_in = NULL;
		return -1;
	}
	lh_catch_crashes();
	set_escdelay(25);
	cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	/* Let curses scroll with the terminal's insert/delete line instead of
	 * repainting every row when the timeline moves up by one: a new event
	 * then costs a line on the wire, not a screen. */
	idlok(stdscr, TRUE);
	if (has_colors()) {
		start_color();
		use_default_colors();
	}
	if (mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	return fileno(lh_tty_in ? lh_tty_in : stdin);
}

void lh_screen_close(void)
{
	if (!lh_scr)
		return;
	endwin();
	delscreen(lh_scr);
	lh_scr = NULL;
	if (lh_tty_in)
		fclose(lh_tty_in);
	lh_tty_in = NULL;
}

void lh_screen_resize(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
}

static attr_t lh_attrs_of(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & LH_ATTR_BOLD) r |= A_BOLD;
	if (a & LH_ATTR_DIM) r |= A_DIM;
	if (a & LH_ATTR_UNDERLINE) r |= A_UNDERLINE;
	if (a & LH_ATTR_REVERSE) r |= A_REVERSE;
	if (a & LH_ATTR_STANDOUT) r |= A_STANDOUT;
#ifdef A_ITALIC
	if (a & LH_ATTR_ITALIC) r |= A_ITALIC;
#endif
	return r;
}

void lh_screen_set_ascii(bool ascii)
{
	lh_ascii = ascii;
}

void lh_screen_set_theme(const struct lh_theme *t, bool color)
{
	lh_color_on = color && has_colors() && COLOR_PAIRS > LH_ST_COUNT;
	bool rich = lh_color_on && COLORS >= 256;
	for (int i = 0; i < LH_ST_COUNT; i++) {
		const struct lh_style_spec *s = &t->style[i];
		lh_attr[i] = lh_attrs_of(s->attrs);
		lh_pair[i] = 0;
		if (!lh_color_on)
			continue;
		short fg = rich ? s->fg : s->fg8, bg = rich ? s->bg : s->bg8;
		init_pair((short)(i + 1), fg, bg);
		lh_pair[i] = (short)(i + 1);
	}
}

static void lh_set_style(enum lh_style st, enum lh_style base)
{
	/* A segment keeps its own colors, but on the base's background when
	 * the base is a highlight (the selection bar). */
	short pair = lh_pair[st];
	attr_t a = lh_attr[st];
	if (base != LH_ST_NORMAL) {
		pair = lh_pair[base];
		a |= lh_attr[base];
		if (!lh_color_on)
			a |= A_REVERSE;
	}
	attr_set(a, pair, NULL);
}

int lh_screen_text(int y, int x, int width, const char *s, enum lh_style st)
{
	/* The last gate before the terminal: whatever a caller passes, a
	 * control or invisible character is drawn as a visible mark. */
	static struct lh_buf clean;
	if (width <= 0)
		return 0;
	lh_buf_reset(&clean);
	lh_text_sanitize(&clean, s, strlen(s), LH_TEXT_ONELINE);
	int used;
	size_t n = lh_cells_fit(lh_buf_str(&clean), clean.len, width, &used);
	lh_set_style(st, LH_ST_NORMAL);
	if (n < clean.len) { /* cut: say so with the ellipsis */
		n = lh_cells_fit(lh_buf_str(&clean), clean.len, width - 1, &used);
		mvaddnstr(y, x, lh_buf_str(&clean), (int)n);
		addstr(lh_ascii ? "~" : "\xe2\x80\xa6");
		return used + 1;
	}
	mvaddnstr(y, x, lh_buf_str(&clean), (int)n);
	return used;
}

int lh_screen_send(const char *data, size_t len)
{
	if (fflush(stdout) != 0)
		return -1;
	while (len) {
		ssize_t w = write(STDOUT_FILENO, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) { /* a slow terminal: wait for room */
			fd_set out;
			FD_ZERO(&out);
			FD_SET(STDOUT_FILENO, &out);
			if (select(STDOUT_FILENO + 1, NULL, &out, NULL, NULL) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

void lh_screen_fill(int y, int x, int width, enum lh_style st)
{
	lh_set_style(st, LH_ST_NORMAL);
	for (int i = 0; i < width; i++)
		mvaddch(y, x + i, ' ');
}

/* Draws s[0..len) at the cursor in style st, splitting off highlighted byte
 * ranges; stops at max columns. Returns columns used. */
static int lh_put_seg(const char *text, size_t off, size_t len, int max, enum lh_style st,
		      enum lh_style base, const size_t *hl, int nhl)
{
	int used = 0;
	size_t end = off + len;
	while (off < end && used < max) {
		size_t stop = end;
		bool in_match = false;
		for (int i = 0; i < nhl; i++) {
			size_t a = hl[2 * i], b = a + hl[2 * i + 1];
			if (off >= a && off < b) {
				in_match = true;
				stop = b < stop ? b : stop;
			} else if (a > off && a < stop) {
				stop = a;
			}
		}
		int w;
		size_t n = lh_cells_fit(text + off, stop - off, max - used, &w);
		if (!n)
			break;
		lh_set_style(in_match ? LH_ST_MATCH : st, in_match ? LH_ST_NORMAL : base);
		addnstr(text + off, (int)n);
		used += w;
		off += n;
	}
	return used;
}

void lh_screen_line(int y, int x, int width, const struct lh_line *l, enum lh_style base,
		    const size_t *hl, int nhl, const char *ellipsis)
{
	int right = l->right < l->n ? l->right : l->n;
	int rw = 0;
	for (int i = right; i < l->n; i++)
		rw += lh_cells_width(l->text.data + l->seg[i].off, l->seg[i].len);
	if (rw > width)
		rw = 0; /* no room for the right part at all: drop it */
	int left_room = width - (rw ? rw + 1 : 0), used = 0;
	int ell = lh_cells_width(ellipsis, strlen(ellipsis));
	lh_screen_fill(y, x, width, base);
	move(y, x);
	int lw = 0;
	for (int i = 0; i < right; i++)
		lw += lh_cells_width(l->text.data + l->seg[i].off, l->seg[i].len);
	bool cut = lw > left_room;
	int limit = cut ? left_room - ell : left_room;
	for (int i = 0; i < right && used < limit; i++)
		used += lh_put_seg(l->text.data, l->seg[i].off, l->seg[i].len, limit - used,
				   l->seg[i].style, base, hl, nhl);
	if (cut && left_room >= ell) {
		lh_set_style(LH_ST_DIM, base);
		addstr(ellipsis);
	}
	if (rw) {
		move(y, x + width - rw);
		for (int i = right; i < l->n; i++)
			lh_put_seg(l->text.data, l->seg[i].off, l->seg[i].len, rw, l->seg[i].style, base, hl, nhl);
	}
}

void lh_screen_box(int y, int x, int h, int w, const char *title, bool ascii)
{
	if (h < 2 || w < 2)
		return;
	lh_set_style(LH_ST_BORDER, LH_ST_NORMAL);
	if (ascii) {
		mvaddch(y, x, '+'); mvaddch(y, x + w - 1, '+');
		mvaddch(y + h - 1, x, '+'); mvaddch(y + h - 1, x + w - 1, '+');
		mvhline(y, x + 1, '-', w - 2); mvhline(y + h - 1, x + 1, '-', w - 2);
		mvvline(y + 1, x, '|', h - 2); mvvline(y + 1, x + w - 1, '|', h - 2);
	} else {
		mvaddch(y, x, ACS_ULCORNER); mvaddch(y, x + w - 1, ACS_URCORNER);
		mvaddch(y + h - 1, x, ACS_LLCORNER); mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
		mvhline(y, x + 1, ACS_HLINE, w - 2); mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
		mvvline(y + 1, x, ACS_VLINE, h - 2); mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
	}
	for (int i = 1; i < h - 1; i++)
		lh_screen_fill(y + i, x + 1, w - 2, LH_ST_NORMAL);
	if (title && w > 6) {
		lh_set_style(LH_ST_TITLE, LH_ST_NORMAL);
		mvaddch(y, x + 2, ' ');
		int used = lh_screen_text(y, x + 3, w - 6, title, LH_ST_TITLE);
		lh_set_style(LH_ST_TITLE, LH_ST_NORMAL);
		mvaddch(y, x + 3 + used, ' ');
	}
}
