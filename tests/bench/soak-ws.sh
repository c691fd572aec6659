#!/bin/sh
# make soak: --ws clients against a bridge that is killed, stopped and
# restarted at random points of a burst, SOAK_N times (default 30). After
# every restart each client must reconnect and then go quiet: a client
# left spinning (once seen after an hour of restarts, not reproduced since)
# fails the iteration it started in. TAP output; minutes, not for make check.
TESTS_SRCDIR=${TESTS_SRCDIR:-$(dirname "$0")/..}
. "$TESTS_SRCDIR/lib.sh"
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }
N=${SOAK_N:-30}
CH="soak:$$"
PORT=$(free_port)
URL="ws://127.0.0.1:$PORT"

bridge_up() {
	"$LIVEHUD" bridge --listen "127.0.0.1:$PORT" --redis "$REDIS_URL" --channel "$CH" --history 200 \
		2>>"$T/bridge.err" &
	BR=$!
	BRIDGE="http://127.0.0.1:$PORT"
	wait_for 10 http_status "$BRIDGE/health" >/dev/null
}
bridge_up
"$LIVEHUD" --ws "$URL" --plain >"$T/c1.out" 2>"$T/c1.err" &
C1=$!
"$LIVEHUD" --ws "$URL/ws/runtime/r1" --plain >"$T/c2.out" 2>"$T/c2.err" &
C2=$!
"$LIVEHUD" --ws "$URL" --json >/dev/null 2>"$T/c3.err" &
C3=$!
PIDS="$PIDS $C1 $C2 $C3"
$PY -c "
import json
for i in range(3000):
    print(json.dumps({'run_id': 'r%d' % (i % 3), 'agent_id': 'a', 'category': 'TOOL_CALL',
                      'message': 'tool(%d)' % i, 'tool_name': 'tool'}))" >"$T/burst.jsonl"

clients_are() { [ "$(metric livehud_clients)" = "$1" ]; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# quiet PID: over one second (a measurement window), at most one CPU tick
# and two wake-ups.
quiet() {
	t0=$(ticks "$1") w0=$(wakeups "$1")
	sleep 1
	[ $(($(ticks "$1") - t0)) -le 1 ] && [ $(($(wakeups "$1") - w0)) -le 2 ]
}
all_quiet() { quiet "$C1" && quiet "$C2" && quiet "$C3"; }

for i in $(seq "$N"); do
	"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" <"$T/burst.jsonl" >/dev/null &
	E=$!
	# a random point of the burst (the randomness is the test, not a wait)
	sleep "0.$(shuf -i 1-300 -n 1)"
	case $(shuf -i 1-3 -n 1) in
	1) how=KILL; kill -KILL "$BR" ;;
	2) how=TERM; kill -TERM "$BR" ;;
	3) how="STOP, then KILL"; kill -STOP "$BR"; sleep "$(shuf -i 1-2 -n 1)"; kill -KILL "$BR"; kill -CONT "$BR" ;;
	esac
	wait "$BR" 2>/dev/null
	wait "$E"
	bridge_up
	check "$i ($how): all three clients reconnect" wait_for 30 clients_are 3
	check "$i ($how): and go quiet" wait_for 15 all_quiet
done
kill -TERM "$BR"
done_testing
