#!/usr/bin/python3
"""ptyscreen: runs a program on a terminal of our own and times what it draws.

The program gets a pseudo-terminal; everything it writes is read as it
comes and kept as a screen by pyte (Debian's python3-pyte). Steps read from
stdin, one a line, drive it; a step written "NAME: step" prints
"NAME MS" when it is done, MS being milliseconds since the last send (or
since the start, or the spawn for reap). Unlike a screen polled through
tmux, the answer is seen on the read that brings it, and watching costs no
process per look.

Steps:
  send KEYS    write KEYS (\\r, \\x1b... escapes) to the terminal
  wait TEXT    until TEXT is on screen
  gone TEXT    until TEXT is not on screen
  pause S      keep reading for S seconds (a window, not a wait)
  spawn CMD    start the shell command CMD beside it (not on the terminal)
  reap         until that command has exited
  rss          print the program's peak resident set in kB (NAME KB)
  stat         print its CPU ticks and voluntary context switches so far
               (NAME TICKS WAKEUPS)
  bytes        print the bytes it wrote since the last send, spawn or start
  find REGEX   print the first text on screen that REGEX matches (NAME TEXT)
A wait that is not met in --deadline seconds prints "NAME timeout", the
screen on stderr, and ends the run with status 1.
"""
import argparse
import fcntl
import os
import re
import selectors
import signal
import struct
import subprocess
import sys
import termios
import time

import pyte


class Terminal:
    def __init__(self, argv, cols, rows, term):
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.lines = [""] * rows
        self.written = 0
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = dict(os.environ, TERM=term, LINES=str(rows), COLUMNS=str(cols))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.fd = master
        os.set_blocking(master, False)
        self.sel = selectors.DefaultSelector()
        self.sel.register(master, selectors.EVENT_READ)

    def pump(self, timeout):
        """Reads what is there (waiting up to timeout s for it); False once
        the program has closed the terminal."""
        if not self.sel.select(timeout):
            return True
        try:
            data = os.read(self.fd, 1 << 16)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not data:
            return False
        self.written += len(data)
        self.stream.feed(data)
        for y in self.screen.dirty:
            if y < self.rows:
                row = self.screen.buffer[y]
                self.lines[y] = "".join(row[x].data for x in range(self.cols))
        self.screen.dirty.clear()
        return True

    def shows(self, text):
        return any(text in line for line in self.lines)

    def until(self, cond, deadline):
        end = time.monotonic() + deadline
        while not cond():
            left = end - time.monotonic()
            if left <= 0 or not self.pump(min(left, 0.5)):
                return cond()
        return True

    def send(self, keys):
        os.write(self.fd, keys)

    def status(self, field):
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_ticks(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime

    def close(self):
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        self.proc.wait()


def run(term, steps, deadline):
    mark, mark_bytes = time.monotonic(), 0
    side, side_started = None, 0.0
    for raw in steps:
        raw = raw.rstrip("\n")
        if not raw.strip():
            continue
        first, _, rest = raw.partition(" ")
        name, step = (first[:-1], rest) if first.endswith(":") else ("", raw)
        op, _, arg = step.partition(" ")
        ok, shown = True, None
        if op == "send":
            term.send(arg.encode().decode("unicode_escape").encode("latin-1"))
            mark, mark_bytes = time.monotonic(), term.written
        elif op == "wait":
            ok = term.until(lambda: term.shows(arg), deadline)
        elif op == "gone":
            ok = term.until(lambda: not term.shows(arg), deadline)
        elif op == "pause":
            end = time.monotonic() + float(arg)
            while time.monotonic() < end and term.pump(end - time.monotonic()):
                pass
        elif op == "spawn":
            side, side_started = subprocess.Popen(arg, shell=True), time.monotonic()
            mark, mark_bytes = side_started, term.written
        elif op == "reap":
            ok = term.until(lambda: side.poll() is not None, deadline)
            shown = "%d" % ((time.monotonic() - side_started) * 1000)
        elif op == "rss":
            shown = "%d" % term.status("VmHWM")
        elif op == "stat":
            shown = "%d %d" % (term.cpu_ticks(), term.status("voluntary_ctxt_switches"))
        elif op == "bytes":
            shown = "%d" % (term.written - mark_bytes)
        elif op == "find":
            found = [m.group(0) for m in (re.search(arg, line) for line in term.lines) if m]
            shown = found[0] if found else "-"
        else:
            sys.exit("ptyscreen: unknown step %r" % raw)
        if name:
            if shown is None:
                shown = "%.1f" % ((time.monotonic() - mark) * 1000)
            print(name, shown if ok else "timeout", flush=True)
        if not ok:
            sys.stderr.write("ptyscreen: %r not met; the screen:\n%s\n" % (raw, "\n".join(term.lines)))
            return 1
    return 0


def main():
    ap = argparse.ArgumentParser(description="time what a program draws on a terminal")
    ap.add_argument("--size", default="120x40", help="COLSxROWS (default 120x40)")
    ap.add_argument("--deadline", type=float, default=60, help="seconds a wait may take (default 60)")
    # tmux's own terminal type (and ncurses-base's): 256 colours, and
    # nothing pyte does not know (xterm-256color's REP is one)
    ap.add_argument("--term", default="tmux-256color", help="TERM for the program (default tmux-256color)")
    ap.add_argument("argv", nargs="+", help="the program and its arguments")
    a = ap.parse_args()
    cols, rows = (int(v) for v in a.size.split("x"))
    term = Terminal(a.argv, cols, rows, a.term)
    try:
        status = run(term, sys.stdin, a.deadline)
    finally:
        term.close()
    sys.exit(status)


if __name__ == "__main__":
    main()
