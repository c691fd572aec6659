#!/bin/sh
# A name server that never answers: livehud goes on (the HUD answers keys,
# SIGTERM ends it at once) while the lookup of a Redis or WebSocket host
# hangs. The stuck resolver is real: a private mount namespace (root only)
# whose /etc/resolv.conf points at a UDP socket that reads and never replies.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
[ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null ||
	{ echo "1..0 # SKIP needs root and unshare for a private /etc/resolv.conf"; exit 0; }
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

NS=127.0.0.77
$PY -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('$NS', 53))
print('listening', flush=True)
while True:
    s.recv(4096)
    print('asked', flush=True)
" >"$T/ns.out" 2>"$T/ns.err" &
PIDS="$PIDS $!"
wait_for 10 contains "$T/ns.out" listening ||
	{ echo "1..0 # SKIP cannot listen on $NS:53"; exit 0; }
printf 'nameserver %s\noptions timeout:30 attempts:1\n' "$NS" >"$T/resolv.conf"
# in_ns CMD...: CMD with the silent name server
in_ns() { exec unshare -m sh -c "mount --bind '$T/resolv.conf' /etc/resolv.conf && exec \"\$@\"" sh "$@"; }
asked() { contains "$T/ns.out" asked; }

bg plain in_ns "$LIVEHUD" --plain --redis redis://redis.slow.example:6379 --channel x
P=$BG_PID
check "the Redis host is being looked up" wait_for 10 asked
check "livehud is running meanwhile" is_running "$P"
kill -TERM "$P"
check "SIGTERM ends it at once, the lookup still hanging" wait_for 2 not_running "$P"

: >"$T/ns.out"
hud_start slow 100 30 "unshare -m sh -c \"mount --bind '$T/resolv.conf' /etc/resolv.conf && exec $LIVEHUD --ws ws://bridge.slow.example:3001\""
check "the WebSocket host is being looked up" wait_for 10 asked
keys slow '?'
check "the HUD answers a key meanwhile" wait_screen slow 'livehud keys'
keys slow x q
check "and q quits at once" wait_for 2 hud_exited slow
check "with status 0" [ "$(exit_status slow)" = 0 ]
done_testing
