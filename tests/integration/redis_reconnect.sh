#!/bin/sh
# Redis down at start, then killed and restarted mid-stream: livehud keeps
# retrying (without exiting), says so once per change, resubscribes, and
# shows the events that come after. Host names are looked up without
# blocking.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT

CH="test:reconnect:$$"
REDIS_PORT=$(free_port)
REDIS_URL="redis://127.0.0.1:$REDIS_PORT"
emit() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run r1 --agent a --category THOUGHT --message "$1" >/dev/null; }

# --redis-timeout 0: no PING on silence, so the idle check below sees none
# (with the default, a silent subscription is pinged every 5 s).
bg watch "$LIVEHUD" --plain --redis "$REDIS_URL" --channel "$CH" --redis-timeout 0
W=$BG_PID
check "with Redis down, livehud says it is retrying" \
	wait_for 10 contains "$T/watch.err" "redis://127.0.0.1:$REDIS_PORT $CH: connect: Connection refused; retrying"
check "and keeps running" is_running "$W"

start_redis
check "once Redis is up, it subscribes" wait_for 10 has_subscribers "$CH"
check "and says it is live again" wait_for 10 contains "$T/watch.err" "live again"
emit "before the crash"
check "events show" wait_for 10 contains "$T/watch.out" "before the crash"

stop_redis
check "a killed Redis is noticed" wait_for 10 sh -c "grep -c retrying '$T/watch.err' | grep -q 2"
check "livehud keeps running" is_running "$W"
start_redis
check "a restarted Redis is resubscribed" wait_for 10 has_subscribers "$CH"
emit "after the restart"
check "later events show" wait_for 10 contains "$T/watch.out" "after the restart"
check "the outage is a row where it happened, saying what Pub/Sub lost" \
	grep -q 'source lost [0-9:]*, back [0-9:]* (events published meanwhile are lost)' "$T/watch.out"
check "the retry loop did not repeat the same error line" \
	[ "$(grep -c 'Connection refused' "$T/watch.err")" -le 2 ]

# Idle costs nothing: subscribed with nothing arriving, livehud does not
# wake up at all. The sleep is a measurement window, not a wait.
wakeups() { awk '/^voluntary_ctxt_switches/ {print $2}' "/proc/$W/status"; }
w0=$(wakeups)
sleep 1.5
w1=$(wakeups)
check "idle livehud does not wake up (woke $((w1 - w0)) times in 1.5 s)" [ $((w1 - w0)) -le 1 ]

kill -TERM "$W"; wait "$W"
check "SIGTERM exits 0" [ $? -eq 0 ]
check "and the outages are counted at exit" contains "$T/watch.err" 'source interrupted 1 time'


# Host names are looked up off the loop, and what a lookup finds is used.
bg named "$LIVEHUD" --plain --redis "redis://localhost:$REDIS_PORT" --channel "$CH"
N=$BG_PID
wait_for 10 has_subscribers "$CH"
emit "by name"
check "a host name is looked up and connected to" wait_for 10 contains "$T/named.out" "by name"
kill -TERM "$N"; wait "$N"
bg noname "$LIVEHUD" --plain --redis "redis://no-such-host.invalid:$REDIS_PORT" --channel "$CH"
N=$BG_PID
check "a name that does not resolve is said so" wait_for 15 contains "$T/noname.err" "resolve no-such-host.invalid"
check "and retried" contains "$T/noname.err" "retrying"
kill -TERM "$N"
exited() { ! kill -0 "$N" 2>/dev/null; }
check "SIGTERM ends it at once, lookup or not" wait_for 2 exited
wait "$N"
check "with status 0" [ $? -eq 0 ]
# A stalled Redis (SIGSTOP): the socket stays open and says nothing. A
# PING after --redis-timeout seconds of silence goes unanswered, and the
# source is marked stalled and reconnected; SIGCONT brings it back.
start_bridge --redis "$REDIS_URL" --channel "$CH" --redis-timeout 1
bg swatch "$LIVEHUD" --plain --redis "$REDIS_URL" --channel "$CH" --redis-timeout 1
SW=$BG_PID
hud_start shud 120 30 "$LIVEHUD --config /dev/null --redis $REDIS_URL --channel $CH --redis-timeout 1"
bg wsall $WS hold "$WSURL/ws/runs"
bg wsplain "$LIVEHUD" --ws "$WSURL" --plain
WSP=$BG_PID
wait_for 10 has_subscribers "$CH" 3
wait_for 10 metric_at_least livehud_clients 2
check "the bridge is healthy while Redis answers" wait_for 10 http_is 200 "$BRIDGE/health"
check "the HUD is live" wait_screen shud ' live '
# An event first, so the outage row lands in its run, the one the HUD shows.
emit "before the stall"
check "the HUD shows events" wait_screen shud 'before the stall'
kill -STOP "$REDIS_PID"
check "a stopped Redis makes /health 503" wait_for 15 http_is 503 "$BRIDGE/health"
check "saying it stalled" sh -c "curl -s '$BRIDGE/health' | grep -q 'stalled\\|timed out'"
check "counted in /metrics" metric_at_least livehud_redis_stalls_total 1
check "the plain watcher says so" wait_for 10 contains "$T/swatch.err" 'stalled: no answer to PING within 2000 ms'
check "the HUD header says so" wait_for 10 screen_has shud 'stalled'
kill -CONT "$REDIS_PID"
check "once Redis answers again, /health is 200" wait_for 20 http_is 200 "$BRIDGE/health"
check "the watcher is live again" wait_for 20 contains "$T/swatch.err" 'live again'
check "the HUD shows the outage row in the run it was watching" wait_for 10 screen_has shud 'source lost'
emit "after the stall"
check "and shows later events" wait_for 10 contains "$T/swatch.out" "after the stall"
check "the bridge tells its clients their source was interrupted" \
	wait_for 10 grep -q '"type":"gap","run_id":"\*","reason":"source_interrupted","since":"[^"]*Z","until":"[^"]*Z"' "$T/wsall.out"
check "and counts it" metric_at_least livehud_source_interruptions_total 1
check "a --ws client shows it as a row" \
	wait_for 10 contains "$T/wsplain.out" "the bridge's source lost"
kill -TERM "$WSP"
kill -TERM "$SW" "$BRIDGE_PID"
done_testing
