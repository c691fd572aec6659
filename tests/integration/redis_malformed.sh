#!/bin/sh
# Malformed payloads published among good ones: every good one shows, each
# bad one is refused with its reason and counted, and nothing reaches the
# terminal raw.
. "$TESTS_SRCDIR/lib.sh"
start_redis --unixsocket "$T/redis.sock" || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:malformed:$$"
# Through the unix socket, to cover unix:// URLs.
bg watch "$LIVEHUD" --plain --redis "unix://$T/redis.sock" --channel "$CH" --max-bytes 4096
W=$BG_PID
wait_for 10 has_subscribers "$CH"

good() { printf '{"run_id":"m1","agent_id":"a","category":"THOUGHT","message":"good %s"}\n' "$1"; }
{
	good 1
	echo 'not json'
	good 2
	echo '[1, 2, 3]'
	echo '{"agent_id": "x", "message": "no run"}'
	good 3
	echo '{"run_id": 5}'
	printf '{"run_id":"m1","message":"\377\376"}\n'
	good 4
	python3 -c "print('{\"run_id\":\"m1\",\"message\":\"' + 'x' * 5000 + '\"}')"
	printf '{"run_id":"m1","agent_id":"a","category":"THOUGHT","message":"esc \033[2J\033]0;owned\007 end"}\n'
	echo 'not json either'
	good 5  # last, so seeing it means every payload before it was handled
} >"$T/mixed.jsonl"
printf '{"run_id":"m1","message":"nul\000byte"}' | rcli -x PUBLISH "$CH" >/dev/null
"$LIVEHUD" emit --raw --redis "$REDIS_URL" --channel "$CH" <"$T/mixed.jsonl" >/dev/null

check "all good events show" wait_for 10 contains "$T/watch.out" "good 5"
for i in 1 2 3 4; do check "good $i shows" contains "$T/watch.out" "good $i"; done
check "escape sequences are shown neutralized" contains "$T/watch.out" 'esc ^[[2J^[]0;owned^G end'
check "no raw ESC or BEL reaches the output" sh -c "! grep -q \"\$(printf '[\033\007]')\" '$T/watch.out'"
for reason in nul_byte invalid_json not_object missing_run_id wrong_type invalid_utf8 oversize; do
	check "$reason is reported" contains "$T/watch.err" "($reason)"
done
check "a reason is reported once, not per payload" [ "$(grep -c '(invalid_json)' "$T/watch.err")" -eq 1 ]
# A message far over --max-bytes is not buffered whole by the Redis reader:
# it is cut as it streams in, counted as oversize, and the connection stays.
# (20 MB: Redis itself drops a subscriber owed more than 32 MB.)
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$W/status"; }
hwm0=$(hwm)
$PY -c "print('{\"run_id\":\"m1\",\"message\":\"' + 'y' * 20000000 + '\"}')" | rcli -x PUBLISH "$CH" >/dev/null
good 6 | "$LIVEHUD" emit --raw --redis "$REDIS_URL" --channel "$CH" >/dev/null
check "events after a 20 MB message still show" wait_for 10 contains "$T/watch.out" "good 6"
check "the 20 MB were never held in memory" [ $(( $(hwm) - hwm0 )) -lt 10000 ]
check "and the connection was kept" sh -c "! grep -q 'retrying\\|reconnecting' '$T/watch.err'"
check "livehud is still running" is_running "$W"
kill -TERM "$W"; wait "$W"
check "SIGTERM exits 0" [ $? -eq 0 ]
check "the summary counts every rejection by reason" \
	contains "$T/watch.err" "rejected payloads: oversize 2, nul_byte 1, invalid_utf8 1, invalid_json 2, not_object 1, missing_run_id 1, wrong_type 1"
done_testing
