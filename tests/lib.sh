# lib.sh: shared helpers for the integration tests (sourced, POSIX sh).
# Each test gets its own temp dir, its own redis-server on a free loopback
# port, and TAP output; everything it started is stopped on exit.
set -u

: "${LIVEHUD:?LIVEHUD must point at the built binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/livehud-test.XXXXXX")
# No user config or theme may leak into a test.
XDG_CONFIG_HOME="$T/config"
export XDG_CONFIG_HOME
TAP_N=0
TAP_FAILED=0
PIDS=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
diag() { sed 's/^/# /'; }
# check "what" command...: one assertion from a command's status.
check() { what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }

# wait_for SECONDS command...: polls the condition every 20 ms until it
# holds or the deadline passes. Never a fixed sleep.
wait_for() {
	deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
	while ! "$@" 2>/dev/null; do
		[ $(( $(date +%s%N) / 1000000 )) -ge "$deadline" ] && return 1
		sleep 0.02
	done
	return 0
}

# ms: the time now in milliseconds, to report how long something took.
ms() { echo $(( $(date +%s%N) / 1000000 )); }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_redis [extra redis-server args...]: sets REDIS_PORT and REDIS_URL.
start_redis() {
	REDIS_PORT=${REDIS_PORT:-$(free_port)}
	REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$T" "$@" >"$T/redis.log" 2>&1 &
	REDIS_PID=$!
	PIDS="$PIDS $REDIS_PID"
	wait_for 10 redis_ping || { echo "# redis-server did not start"; diag <"$T/redis.log"; return 1; }
}

redis_ping() { [ "$(rcli PING 2>/dev/null)" = PONG ]; }
rcli() { redis-cli -p "$REDIS_PORT" ${REDIS_PASS:+-a "$REDIS_PASS" --no-auth-warning} "$@"; }

stop_redis() {
	kill -9 "$REDIS_PID" 2>/dev/null
	wait "$REDIS_PID" 2>/dev/null
}

# subscribers CHANNEL: how many subscribe to it (patterns count via NUMPAT).
subscribers() { rcli PUBSUB NUMSUB "$1" | sed -n 2p; }
has_subscribers() { [ "$(subscribers "$1")" -ge "${2:-1}" ]; }
has_patterns() { [ "$(rcli PUBSUB NUMPAT)" -ge 1 ]; }

# contains FILE TEXT: a fixed-string grep.
contains() { grep -qF -- "$2" "$1"; }
lines_in() { [ "$(wc -l <"$1")" -ge "$2" ]; }

# bg NAME command...: runs a command in the background, output to $T/NAME.out
# and $T/NAME.err; sets BG_PID.
bg() {
	name=$1; shift
	"$@" >"$T/$name.out" 2>"$T/$name.err" &
	BG_PID=$!
	PIDS="$PIDS $BG_PID"
}

is_running() { kill -0 "$1" 2>/dev/null; }
not_running() { ! kill -0 "$1" 2>/dev/null; }

# ---- the HUD under tmux ----
# Each test has its own tmux server (-L), no user config (-f /dev/null),
# and keeps dead panes so the exit status and the restored screen can be read.
TMUX_SOCK="livehud-test-$$"
tm() { tmux -u -L "$TMUX_SOCK" -f /dev/null "$@"; }
hud_cleanup() { tm kill-server 2>/dev/null; }

# hud_start NAME COLS ROWS command...: runs the command in a new session.
hud_start() {
	name=$1 cols=$2 rows=$3; shift 3
	if ! tm has-session 2>/dev/null; then
		tm new-session -d -s _keep -x 20 -y 5 "sleep 100000"
		tm set -g default-terminal screen-256color
		tm set -g remain-on-exit on
		tm set -g history-limit 0
	fi
	rm -f "$T/$name.status"
	tm new-session -d -s "$name" -x "$cols" -y "$rows" \
		"env LC_ALL=C.UTF-8 XDG_CONFIG_HOME='$XDG_CONFIG_HOME' $* 2>'$T/$name.err'; echo \$? >'$T/$name.status'"
}
# exit_status NAME: the command's exit status once it has ended.
exit_status() { cat "$T/$1.status" 2>/dev/null; }
hud_exited() { [ -s "$T/$1.status" ]; }
# wider_than NAME COLS: some line of the screen is wider than COLS cells.
fits_in() { [ "$(screen "$1" | LC_ALL=C.UTF-8 wc -L)" -le "$2" ]; }
not() { ! "$@"; }
screen() { tm capture-pane -p -t "$1"; }
screen_has() { screen "$1" | grep -qF -- "$2"; }
screen_has_re() { screen "$1" | grep -qE -- "$2"; }
wait_screen() { wait_for 10 screen_has "$1" "$2"; }
keys() { n=$1; shift; tm send-keys -t "$n" "$@"; }
pane() { tm display -p -t "$1" "$2"; }
# wakeups PID: voluntary context switches so far (each wake-up from sleep is one).
wakeups() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$1/status"; }

# ---- WebSocket clients and the bridge ----
PY=/usr/bin/python3  # Debian's, which has python3-websockets
WS="$PY $TESTS_SRCDIR/wsclient.py"

# scripted_server FRAMES_FILE: a WebSocket server on a free port sending
# each client the file's lines as frames; sets SPORT once it answers.
scripted_server() {
	SPORT=$(free_port)
	$PY "$TESTS_SRCDIR/scripted_server.py" "$SPORT" "$1" >"$T/scripted.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 10 scripted_up
}
scripted_up() { curl -s -o /dev/null "http://127.0.0.1:$SPORT/"; [ $? -ne 7 ]; }

# start_bridge [options...]: a bridge on a free port; sets BRIDGE_PORT,
# BRIDGE (http://...), WSURL (ws://...) and BRIDGE_PID; logs in $T/bridge.err.
start_bridge() {
	BRIDGE_PORT=$(free_port)
	BRIDGE="http://127.0.0.1:$BRIDGE_PORT"
	WSURL="ws://127.0.0.1:$BRIDGE_PORT"
	"$LIVEHUD" bridge --listen "127.0.0.1:$BRIDGE_PORT" "$@" >"$T/bridge.out" 2>>"$T/bridge.err" &
	BRIDGE_PID=$!
	PIDS="$PIDS $BRIDGE_PID"
	wait_for 10 http_status "$BRIDGE/health" >/dev/null || { diag <"$T/bridge.err"; return 1; }
}
# http_status URL [curl args]: prints the status code; fails when nothing answers.
http_status() { code=$(curl -s -o /dev/null -w '%{http_code}' "$@") && [ "$code" != 000 ] && echo "$code"; }
http_is() { want=$1; shift; [ "$(http_status "$@")" = "$want" ]; }
# bridge_has_clients N [BASE_URL]: /health counts at least N clients.
bridge_has_clients() {
	c=$(curl -s "${2:-$BRIDGE}/health" | sed -n 's/.*"clients":\([0-9]*\).*/\1/p')
	[ "${c:-0}" -ge "$1" ]
}
metric() { curl -s "$BRIDGE/metrics" ${2:+-H "$2"} | awk -v m="$1" '$1 == m { print $2 }'; }
metric_at_least() { v=$(metric "$1"); [ -n "$v" ] && [ "${v%.*}" -ge "$2" ]; }

# ---- traffic with numbered messages ----
# events FIRST LAST [RUN]: JSONL of tool calls and results of four agents,
# messages ev-FIRST .. ev-LAST.
events() {
	awk -v a="$1" -v b="$2" -v run="${3:-flow-s}" 'BEGIN {
		split("researcher coder critic planner", ag, " ")
		for (i = a; i <= b; i++) {
			g = ag[int((i + 1) / 2) % 4 + 1]
			if (i % 2)
				printf "{\"run_id\":\"%s\",\"agent_id\":\"%s\",\"category\":\"TOOL_CALL\",\"message\":\"ev-%d\",\"metadata\":\"IO_REQ\",\"tool_name\":\"web_search\",\"args\":{\"q\":\"ev-%d\"},\"call_id\":\"c%d\"}\n", run, g, i, i, i
			else
				printf "{\"run_id\":\"%s\",\"agent_id\":\"%s\",\"category\":\"TOOL_RESULT\",\"message\":\"ev-%d\",\"metadata\":\"%s\",\"tool_name\":\"web_search\",\"duration_ms\":%d,\"call_id\":\"c%d\"}\n", run, g, i, i % 10 ? "IO_OK" : "IO_ERR", i % 700, i - 1
		}
	}'
}
# once FILE FIRST LAST: every ev-N of the range appears exactly once.
once() {
	python3 - "$@" <<'PY'
import re, sys
from collections import Counter
text = open(sys.argv[1], encoding='utf-8', errors='replace').read()
seen = Counter(int(m) for m in re.findall(r'\bev-(\d+)\b', text))
want = set(range(int(sys.argv[2]), int(sys.argv[3]) + 1))
missing = sorted(want - set(seen))
doubled = sorted(n for n, k in seen.items() if k > 1)
if missing or doubled:
    print(f"# missing {len(missing)} {missing[:10]}, doubled {len(doubled)} {doubled[:10]}", file=sys.stderr)
    sys.exit(1)
PY
}
# trickle SECONDS: copies stdin line by line, one line per SECONDS, so
# that traffic flows while a test does things to it.
trickle() { while IFS= read -r l; do printf '%s\n' "$l"; sleep "$1"; done; }
