#!/bin/sh
# emit -> Redis -> livehud --plain: the paired line with its duration, glob
# channels through PSUBSCRIBE, AUTH, and JSONL from stdin.
. "$TESTS_SRCDIR/lib.sh"
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:live:$$"
bg watch "$LIVEHUD" --plain --redis "$REDIS_URL" --channel "$CH"
W=$BG_PID
check "livehud subscribes to its channel" wait_for 10 has_subscribers "$CH"

"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-1 --agent researcher \
	--category TOOL_CALL --tool web_search --args '{"query": "RARO docs"}' >"$T/emit1" 2>&1
check "emit exits 0" [ $? -eq 0 ]
check "emit says one subscriber received it" contains "$T/emit1" "published to 1 subscriber"
check "the call shows up" wait_for 10 contains "$T/watch.out" 'RESEARCHER → web_search(query="RARO docs")'
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-1 --agent researcher \
	--category TOOL_RESULT --tool web_search --message "Found 12 citations" --duration-ms 450 >/dev/null
check "the result shows up under it with the duration" \
	wait_for 10 contains "$T/watch.out" '[IO_OK]   ↳ Found 12 citations (450ms)'

# The payload emit publishes has the agent service's exact shape.
rcli SUBSCRIBE "$CH" >"$T/sub.out" 2>&1 &
SUB=$!; PIDS="$PIDS $SUB"
wait_for 10 has_subscribers "$CH" 2
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-1 --agent coder \
	--tool read_file --args '{"path": "é.txt"}' >"$T/emit2"
check "a second subscriber is counted" contains "$T/emit2" "published to 2 subscribers"
check "the payload is shaped as the Python service shapes it" wait_for 10 python3 - "$T/sub.out" <<'PY'
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
payload = next(l for l in lines if l.startswith('{'))
ev = json.loads(payload)
assert list(ev)[:6] == ['run_id', 'agent_id', 'category', 'message', 'metadata', 'timestamp'], list(ev)
assert ev['category'] == 'TOOL_CALL' and ev['metadata'] == 'IO_REQ'
assert ev['message'] == 'read_file({"path": "\\u00e9.txt"}...)', ev['message']
assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?', ev['timestamp']), ev['timestamp']
assert '"args": {"path": "\\u00e9.txt"}' in payload, payload
PY

# Glob channels use PSUBSCRIBE.
bg glob "$LIVEHUD" --plain --redis "$REDIS_URL" --channel "glob:$$:*"
check "a glob channel is a pattern subscription" wait_for 10 has_patterns
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "glob:$$:a" --run g1 --agent x --category THOUGHT \
	--message "pattern works" >/dev/null
check "an event on a matching channel shows" wait_for 10 contains "$T/glob.out" 'X THOUGHT: pattern works'

# JSONL on stdin, with call_id pairing across parallel calls.
cat >"$T/batch.jsonl" <<'JSONL'
{"run_id":"flow-2","agent_id":"coder","category":"TOOL_CALL","message":"a","metadata":"IO_REQ","tool_name":"execute_python","args":{"code":"slow()"},"call_id":"c1"}
{"run_id":"flow-2","agent_id":"coder","category":"TOOL_CALL","message":"b","metadata":"IO_REQ","tool_name":"execute_python","args":{"code":"fast()"},"call_id":"c2"}
{"run_id":"flow-2","agent_id":"coder","category":"TOOL_RESULT","message":"fast done","metadata":"IO_OK","tool_name":"execute_python","duration_ms":5,"call_id":"c2"}
{"run_id":"flow-2","agent_id":"coder","category":"TOOL_RESULT","message":"slow done","metadata":"IO_OK","tool_name":"execute_python","duration_ms":900,"call_id":"c1"}
JSONL
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" <"$T/batch.jsonl" >"$T/emit3"
check "emit from stdin reports events and deliveries" contains "$T/emit3" "published 4 events, 8 deliveries"
check "call_id pairs the fast result with the call printed just before it" \
	wait_for 10 contains "$T/watch.out" '[IO_OK]   ↳ fast done (5ms)'
check "and the slow one, further down, with its own call and duration" \
	wait_for 10 contains "$T/watch.out" '↳ CODER execute_python: slow done (900ms)'

# REDIS_URL is the default.
bg envurl env REDIS_URL="$REDIS_URL" "$LIVEHUD" --plain --channel "$CH:env"
check "REDIS_URL is the default Redis" wait_for 10 has_subscribers "$CH:env"
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH:env" --run e1 --category THOUGHT --message "via env" >/dev/null
check "and its events show" wait_for 10 contains "$T/envurl.out" 'via env'

# AUTH: a password-protected Redis.
REDIS_PORT=$(free_port)
REDIS_PASS=s3cret
start_redis --requirepass s3cret
AUTH_URL="redis://:s3cret@127.0.0.1:$REDIS_PORT"
bg auth "$LIVEHUD" --plain --redis "$AUTH_URL" --channel "$CH:auth"
check "livehud authenticates and subscribes" wait_for 10 has_subscribers "$CH:auth"
"$LIVEHUD" emit --redis "$AUTH_URL" --channel "$CH:auth" --run a1 --category THOUGHT --message "authed" >/dev/null
check "events flow with AUTH" wait_for 10 contains "$T/auth.out" 'SYSTEM THOUGHT: authed'
"$LIVEHUD" emit --redis "redis://127.0.0.1:$REDIS_PORT" --channel "$CH:auth" --run a1 --message x >/dev/null 2>"$T/noauth.err"
check "emit without the password exits 1" [ $? -eq 1 ]
check "and says Redis refused it" contains "$T/noauth.err" "NOAUTH"
bg badauth "$LIVEHUD" --plain --redis "redis://:wrong@127.0.0.1:$REDIS_PORT" --channel "$CH:auth"
check "a wrong password is reported, and retried" wait_for 10 contains "$T/badauth.err" 'AUTH'
check "without exiting" is_running "$BG_PID"
check "the password is not shown in what it says" not contains "$T/badauth.err" 'wrong'
# The bridge's log, text and JSON, names the Redis without its password.
BP=$(free_port)
"$LIVEHUD" bridge --listen "127.0.0.1:$BP" --redis "$AUTH_URL" --channel "$CH:auth" >/dev/null 2>"$T/bridge.err" &
BPID=$!
PIDS="$PIDS $BPID"
"$LIVEHUD" bridge --listen "127.0.0.1:$(free_port)" --redis "$AUTH_URL" --channel "$CH:auth" --log-json \
	>/dev/null 2>"$T/bridgej.err" &
BJPID=$!
PIDS="$PIDS $BJPID"
check "the bridge logs whom it serves from" wait_for 10 contains "$T/bridge.err" "127.0.0.1:$REDIS_PORT"
check "and subscribes" wait_for 10 contains "$T/bridge.err" 'subscribed'
check "without the password" not contains "$T/bridge.err" 's3cret'
check "--log-json too" wait_for 10 contains "$T/bridgej.err" 'subscribed'
check "without the password either" not contains "$T/bridgej.err" 's3cret'
"$LIVEHUD" --plain --redis "redis://:s3cret@[nope" 2>"$T/badurl.err"
check "a bad --redis URL is refused without echoing its password" not contains "$T/badurl.err" 's3cret'
kill -TERM "$BPID" "$BJPID"

kill -TERM "$W"; wait "$W"
check "SIGTERM exits 0" [ $? -eq 0 ]
done_testing
