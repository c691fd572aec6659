#!/bin/sh
# livehud record: three recorders on one channel, one writes to the stream
# at a time; its writer SIGKILLed and later another SIGSTOPped past its
# lease while events flow; a standby takes over within a second each time,
# and the stream ends with every event exactly once.
. "$TESTS_SRCDIR/lib.sh"
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

KEY="test:rec:$$"
CH="test:live:$$"
LEASE="$KEY:recorder"

"$LIVEHUD" record --channel "$CH" >/dev/null 2>"$T/usage.err"
check "record without --stream is refused (exit 2)" [ $? -eq 2 ]
check "saying what is missing" contains "$T/usage.err" "livehud record: --stream KEY is required"
"$LIVEHUD" record --help >"$T/help.out"
check "--help describes the recorder" contains "$T/help.out" "livehud record"

# recorder I: starts recorder I, its pid in RPIDI, its log in $T/recI.err
recorder() {
	"$LIVEHUD" record --redis "$REDIS_URL" --channel "$CH" --stream "$KEY" ${2:-} \
		>/dev/null 2>>"$T/rec$1.err" &
	eval "RPID$1=$!"
	PIDS="$PIDS $!"
}
writer() { rcli GET "$LEASE"; }
# the writer's pid, from its name host:pid:random
writer_pid() { writer | cut -d: -f2; }
has_writer() { [ -n "$(writer)" ]; }
writer_is_not() { w=$(writer); [ -n "$w" ] && [ "$w" != "$1" ]; }
subscribed() { has_subscribers "$CH" "$1"; }

recorder 1 --log-json
recorder 2
recorder 3
check "three recorders subscribe" wait_for 10 subscribed 3
check "one takes the lease" wait_for 10 has_writer
W1=$(writer)
check "the others stand by and name the writer" \
	wait_for 10 sh -c "cat '$T'/rec*.err | grep -c 'standing by.*writer: $W1' | grep -qx 2"
check "--log-json logs JSON objects" python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l); assert {"time", "level", "msg"} <= set(o), o
' "$T/rec1.err"

rcli PUBLISH "$CH" '{"no_run": true}' >/dev/null
check "a payload readers would reject is not recorded, and said so" \
	wait_for 10 sh -c "cat '$T'/rec*.err | grep -q 'not recorded: 1 payload (missing_run_id)'"

( events 1 3000 | trickle 0.001 | "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" >/dev/null ) &
PRODUCER=$!
PIDS="$PIDS $PRODUCER"
xlen_at_least() { [ "$(rcli XLEN "$KEY")" -ge "$1" ]; }

check "the writer appends while events flow" wait_for 60 xlen_at_least 500
pid=$(writer_pid)
t0=$(ms)
kill -9 "$pid"
check "a standby takes over after the writer is SIGKILLed" wait_for 5 writer_is_not "$W1"
took=$(( $(ms) - t0 ))
echo "# takeover after SIGKILL: $took ms"
check "within a second" [ "$took" -le 1000 ]
for i in 1 2 3; do eval "[ \"\$RPID$i\" = $pid ] && recorder $i"; done
W2=$(writer)

check "the stream keeps growing" wait_for 60 xlen_at_least 1500
pid=$(writer_pid)
t0=$(ms)
kill -STOP "$pid"
check "a standby takes over from a stopped writer" wait_for 5 writer_is_not "$W2"
took=$(( $(ms) - t0 ))
echo "# takeover after SIGSTOP: $took ms"
check "within a second" [ "$took" -le 1000 ]
kill -CONT "$pid"
check "the stopped one, woken, stands by" \
	wait_for 10 sh -c "cat '$T'/rec*.err | grep -q '$W2: standing by'"
wait "$PRODUCER"

bg read "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$KEY" --backlog all
check "the stream has the last event" wait_for 20 contains "$T/read.out" "ev-3000"
check "and every event exactly once, across both takeovers" once "$T/read.out" 1 3000
check "a takeover said what it appended" \
	sh -c "cat '$T'/rec*.err | grep -q 'writing to stream $KEY (takeover 1; appended [0-9]* the stream lacked'"
kill -TERM $RPID1 $RPID2 $RPID3 2>/dev/null
check "stopped recorders print what they did" \
	wait_for 10 sh -c "cat '$T'/rec*.err | grep -q 'stopped: appended [0-9]* ([0-9]* on taking over), lost 0'"
done_testing
