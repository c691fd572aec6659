#!/bin/sh
# livehud bridge with a real redis-server and real WebSocket clients
# (Debian's python3-websockets): the envelope field by field, run
# isolation, resume with since/epoch, gaps, slow clients, bad payloads,
# Redis restarts, refusals, and a clean SIGTERM.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
$PY -c 'import websockets' 2>/dev/null || { echo "1..0 # SKIP python3-websockets is not installed"; exit 0; }
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:bridge:$$"
start_bridge --redis "$REDIS_URL" --channel "$CH" --history 5 --client-queue 200
wait_for 10 has_subscribers "$CH"
check "/health is 200 while subscribed" http_is 200 "$BRIDGE/health"
check "/health says so in JSON" sh -c "curl -s '$BRIDGE/health' | grep -q '\"redis\":\"live\"'"
emit() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" "$@" >/dev/null; }
connected() { grep -q '^connected' "$T/$1.out"; }

# ---- the envelope, field by field ----
bg one $WS recv "$WSURL/ws/runtime/flow-1" 2
bg all $WS recv "$WSURL/ws/runs" 3
wait_for 10 connected one; wait_for 10 connected all
emit --run flow-1 --agent researcher --tool web_search --args '{"query": "RARO docs", "n": 5}' --call-id c1
emit --run flow-2 --category THOUGHT --message "other run"
printf '{"run_id":"flow-1","category":"TOOL_RESULT","message":"Found 12","tool_name":"web_search","duration_ms":450,"call_id":"c1","trace":{"span":"x"},"timestamp":"2026-01-08T10:30:45.123456"}\n' |
	"$LIVEHUD" emit --raw --redis "$REDIS_URL" --channel "$CH" >/dev/null
check "the run's client gets its two events" wait_for 10 lines_in "$T/one.out" 3
check "the envelope matches PROTOCOL.md field by field" $PY - "$T/one.out" <<'PY'
import json, re, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
a, b = lines
assert a['type'] == 'log_event' and a['agent_id'] == 'researcher', a
p = a['payload']
assert p['message'].startswith('web_search(') and p['metadata'] == 'IO_REQ' and p['category'] == 'TOOL_CALL', p
assert p['tool_name'] == 'web_search' and p['args'] == {'query': 'RARO docs', 'n': 5} and p['call_id'] == 'c1', p
assert re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z', a['timestamp']), a['timestamp']
assert a['run_id'] == 'flow-1' and b['seq'] == a['seq'] + 1 and a['epoch'] == b['epoch'] and a['epoch'], (a, b)
assert b['agent_id'] is None, 'a missing agent_id is null'
assert b['payload']['metadata'] == 'INFO', 'metadata defaults to INFO'
assert b['payload']['duration_ms'] == 450 and b['payload']['trace'] == {'span': 'x'}, 'other fields pass untouched'
assert b['timestamp'].endswith('Z') and 'timestamp' not in b['payload']
PY
check "the other run's event did not reach it" not contains "$T/one.out" 'other run'
check "/ws/runs sees both runs" wait_for 10 lines_in "$T/all.out" 4
check "including the other run" contains "$T/all.out" 'other run'

# ---- resume: since and epoch ----
last=$($PY -c "import json,sys; print([json.loads(l) for l in open('$T/one.out') if l.startswith('{')][-1]['seq'])")
epoch=$($PY -c "import json,sys; print([json.loads(l) for l in open('$T/one.out') if l.startswith('{')][-1]['epoch'])")
emit --run flow-1 --category THOUGHT --message "missed 1"
emit --run flow-1 --category THOUGHT --message "missed 2"
bg resume $WS recv "$WSURL/ws/runtime/flow-1?since=$last&epoch=$epoch" 3
wait_for 10 lines_in "$T/resume.out" 3
emit --run flow-1 --category THOUGHT --message "live 3"
check "a resumed client gets what it missed, then live events" wait_for 10 lines_in "$T/resume.out" 4
check "with nothing skipped or duplicated at the seam" $PY - "$T/resume.out" "$last" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
assert [e['payload']['message'] for e in ev] == ['missed 1', 'missed 2', 'live 3'], ev
assert [e['seq'] for e in ev] == [int(sys.argv[2]) + i for i in (1, 2, 3)], [e['seq'] for e in ev]
PY
for i in 1 2 3 4 5 6 7; do echo "{\"run_id\":\"flow-1\",\"message\":\"bulk $i\"}"; done |
	"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" >/dev/null
bg short $WS recv "$WSURL/ws/runtime/flow-1?since=1&epoch=$epoch" 6
check "history shorter than asked: a gap frame first" wait_for 10 lines_in "$T/short.out" 7
check "saying which seqs are lost, then the 5 retained" $PY - "$T/short.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
gap, rest = ev[0], ev[1:]
assert gap['type'] == 'gap' and gap['run_id'] == 'flow-1' and gap['from'] == 2, gap
assert gap['to'] == rest[0]['seq'] - 1 and len(rest) == 5, (gap, [e['seq'] for e in rest])
assert [e['seq'] for e in rest] == list(range(rest[0]['seq'], rest[0]['seq'] + 5))
PY
bg stale $WS recv "$WSURL/ws/runtime/flow-1?since=3&epoch=not-the-epoch" 1
check "a stale epoch gets a gap saying so" wait_for 10 contains "$T/stale.out" '"reason":"epoch"'
for bad in -1 18446744073709551615 9007199254740993 1.5 abc ''; do
	check "since=$bad is refused with 400, not wrapped to a gap from 0" \
		[ "$($WS status "$WSURL/ws/runtime/flow-1?since=$bad&epoch=$epoch")" = 400 ]
done
bg nosince $WS recv "$WSURL/ws/runtime/flow-1" 1
wait_for 10 connected nosince
emit --run flow-1 --category THOUGHT --message "only new"
check "without since, nothing old is sent" wait_for 10 contains "$T/nosince.out" 'only new'
check "and only the new event" [ "$(grep -c '^{' "$T/nosince.out")" -eq 1 ]

# ---- resume across runs on /ws/runs (gseq and gepoch) ----
glast=$($PY -c "import json; print([json.loads(l) for l in open('$T/all.out') if l.startswith('{')][-1]['gseq'])")
gepoch=$($PY -c "import json; print([json.loads(l) for l in open('$T/all.out') if l.startswith('{')][-1]['gepoch'])")
emit --run flow-x --category THOUGHT --message "while away x"
emit --run flow-y --category THOUGHT --message "while away y"
bg allresume $WS recv "$WSURL/ws/runs?since=$glast&epoch=$gepoch" 100
check "a /ws/runs client resuming with since gets what every run missed" wait_for 10 contains "$T/allresume.out" 'while away y'
check "in order, nothing skipped or doubled" $PY - "$T/allresume.out" "$glast" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
g = [e['gseq'] for e in ev]
assert g == list(range(int(sys.argv[2]) + 1, int(sys.argv[2]) + 1 + len(g))), g
assert [e['payload']['message'] for e in ev][-2:] == ['while away x', 'while away y'], ev
PY
bg allstale $WS recv "$WSURL/ws/runs?since=5&epoch=old" 1
check "a stale epoch on /ws/runs gets a gap for every run ("*")" wait_for 10 contains "$T/allstale.out" '"run_id":"*"'

# ---- a slow client does not delay another, and learns what it missed ----
# slow_run NAME PATH RUN_EXPR: a stalled client NAME and a fast one on PATH
# while 1500 frames of 16 KB of run RUN_EXPR (Python, of i) are sent 100 at
# a time (half a client queue) once the fast client has the previous ones:
# far more than the stalled client's socket buffers hold. Sets KEPT_UP to
# how many of the 15 batches the fast client kept up with, and SLOW_PID.
slow_run() {
	bg "$1" $WS stall "$WSURL$2" "$T/$1.go"
	SLOW_PID=$BG_PID
	bg "$1.fast" $WS recv "$WSURL$2" 1500
	wait_for 10 connected "$1"; wait_for 10 connected "$1.fast"
	$PY -c "
import json
for i in range(1500):
    print(json.dumps({'run_id': $3, 'message': 'x' * 16000, 'n': i}))
" | split -l 100 - "$T/$1.chunk."
	sent=0 KEPT_UP=0
	for chunk in "$T/$1".chunk.*; do
		"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" <"$chunk" >/dev/null
		sent=$((sent + 100))
		wait_for 20 lines_in "$T/$1.fast.out" $((sent + 1)) && KEPT_UP=$((KEPT_UP + 1))
	done
	touch "$T/$1.go"
}
slow_run slow /ws/runtime/flow-slow "'flow-slow'"
check "the fast client gets all 1500 while the other reads nothing" [ "$KEPT_UP" -eq 15 ]
check "the slow client, reading again, gets a gap frame" wait_for 20 contains "$T/slow.out" '"reason":"slow_client"'
check "and the drops are counted" metric_at_least 'livehud_frames_dropped_total{reason="slow_client"}' 1
check "its gap and frames account for every seq" $PY - "$T/slow.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
seen = set()
for e in ev:
    if e['type'] == 'gap':
        seen.update(range(e['from'], e['to'] + 1))
    else:
        assert e['seq'] not in seen, 'duplicate ' + str(e['seq'])
        seen.add(e['seq'])
assert seen == set(range(1, 1501)), (min(seen), max(seen), len(seen))
PY

# ---- the same on /ws/runs, 40 runs interleaved: every drop said exactly ----
slow_run aslow /ws/runs "'many-%d' % (i % 40)"
check "/ws/runs: the fast client gets all 1500" [ "$KEPT_UP" -eq 15 ]
check "/ws/runs: the slow client gets gap frames" wait_for 20 contains "$T/aslow.out" '"reason":"slow_client"'
wait_for 30 not_running "$SLOW_PID" || true # it stops after 2 s without a frame
check "/ws/runs: its gaps (per run by seq, across runs by gseq) and frames cover each event once" \
	$PY - "$T/aslow.fast.out" "$T/aslow.out" <<'PY'
import json, sys
frames = lambda f: [json.loads(l) for l in open(f) if l.startswith('{')]
every = {(e['run_id'], e['seq']): e['gseq'] for e in frames(sys.argv[1])}
gseqs = sorted(every.values())
covered = []
for e in frames(sys.argv[2]):
    if e['type'] == 'log_event':
        covered.append(e['gseq'])
    elif e['run_id'] == '*':
        covered += [g for g in range(e['from'], e['to'] + 1) if g in set(gseqs)]
    else:
        covered += [every[(e['run_id'], s)] for s in range(e['from'], e['to'] + 1)]
assert sorted(covered) == gseqs, ('doubled' if len(covered) > len(set(covered)) else 'missing',
                                  len(covered), len(set(covered)), len(gseqs))
PY

# ---- malformed payloads are skipped and counted ----
printf 'not json\n[1]\n{"message":"no run"}\n{"run_id":"flow-3","message":"fine"}\n' |
	"$LIVEHUD" emit --raw --redis "$REDIS_URL" --channel "$CH" >/dev/null
check "invalid JSON is counted in /metrics" wait_for 10 metric_at_least 'livehud_events_rejected_total{reason="invalid_json"}' 1
check "so is a missing run_id" metric_at_least 'livehud_events_rejected_total{reason="missing_run_id"}' 1
check "and not an object" metric_at_least 'livehud_events_rejected_total{reason="not_object"}' 1
check "the metrics have the delivery histogram" metric_at_least 'livehud_delivery_seconds_count' 1500

# ---- Redis killed and restarted mid-stream ----
bg held $WS hold "$WSURL/ws/runtime/flow-4"
wait_for 10 connected held
emit --run flow-4 --category THOUGHT --message "before"
wait_for 10 contains "$T/held.out" before
log_from=$(wc -l <"$T/bridge.err")
stop_redis
check "/health turns 503 while Redis is away" wait_for 10 http_is 503 "$BRIDGE/health"
check "the bridge says so in its log" wait_for 10 contains "$T/bridge.err" 'retrying'
sleep 3 # the outage itself: several retries happen meanwhile (not a wait for a condition)
start_redis
check "it resubscribes" wait_for 15 has_subscribers "$CH"
check "/health is 200 again" wait_for 10 http_is 200 "$BRIDGE/health"
check "and carries no error of the past" not sh -c "curl -s '$BRIDGE/health' | grep -q 'refused'"
check "logging when it came back, with the time down and the attempts" \
	wait_for 10 grep -q 'subscribed again after [0-9.]* s down, [0-9]* attempts' "$T/bridge.err"
tail -n +"$((log_from + 1))" "$T/bridge.err" >"$T/outage.log"
check "two log lines for a 3 s outage, not one per retry ($(wc -l <"$T/outage.log"))" \
	[ "$(wc -l <"$T/outage.log")" -eq 2 ]
emit --run flow-4 --category THOUGHT --message "after"
check "the client stayed connected and gets later events" wait_for 10 contains "$T/held.out" after
check "reconnects are counted" metric_at_least livehud_redis_reconnects_total 1

# ---- refusals ----
check "an unknown path is 400" [ "$($WS status "$WSURL/ws/elsewhere")" = 400 ]
check "a bad run id is 400" [ "$($WS status "$WSURL/ws/runtime/bad%20id")" = 400 ]
check "a too long run id is 400" [ "$($WS status "$WSURL/ws/runtime/$(printf 'a%.0s' $(seq 200))")" = 400 ]
check "plain GET of an unknown page is 404" http_is 404 "$BRIDGE/nothing"

kill -TERM "$BRIDGE_PID"; wait "$BRIDGE_PID"
check "the first bridge exits 0 on SIGTERM" [ $? -eq 0 ]
check "and the held client got close code 1001" wait_for 10 contains "$T/held.out" 'closed 1001'

# ---- limits on what clients may do ----
start_bridge --redis "$REDIS_URL" --channel "$CH" --max-clients 2 --max-frame 1024 --log-json
bg c1 $WS hold "$WSURL/ws/runs"
bg c2 $WS hold "$WSURL/ws/runs"
C2=$BG_PID
wait_for 10 connected c1; wait_for 10 connected c2
check "past --max-clients: 503" [ "$($WS status "$WSURL/ws/runs")" = 503 ]
kill "$C2"
clients_are() { [ "$(metric livehud_clients)" = "$1" ]; }
wait_for 10 clients_are 1
check "a message over --max-frame closes that client with 1009" [ "$($WS send "$WSURL/ws/runtime/x" 5000)" = "closed 1009" ]
check "and the bridge goes on" http_is 200 "$BRIDGE/health"
# raw_ws CASE: a handshake, then frames written byte for byte (RFC 6455
# 5.2); prints what the bridge sent back until it closed the connection:
# "pong PAYLOAD", "close CODE", "text".
raw_ws() {
	$PY - "$BRIDGE_PORT" "$1" <<'PY'
import os, socket, struct, sys
def frame(first, payload, masked=True):
    key = os.urandom(4) if masked else b""
    body = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if masked else payload
    return bytes([first, (0x80 if masked else 0) | len(payload)]) + key + body
close = frame(0x88, struct.pack(">H", 1000))
cases = {
    "unmasked": frame(0x81, b"hello", masked=False),
    "rsv": frame(0xC1, b"hello"),
    "opcode": frame(0x83, b"hello"),
    "utf8": frame(0x81, b"\xff\xfe"),
    "ping": frame(0x89, b"hi") + close,
    "fragments": frame(0x01, b"caf\xc3") + frame(0x80, b"\xa9!") + close,
    "continuation": frame(0x80, b"x"),
    "close_code": frame(0x88, struct.pack(">H", 1005)),
    "silent": b"",
}
head = (b"GET /ws/runtime/rawws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
s.sendall(head + cases[sys.argv[2]])  # the frames may come with the head
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
end = data.index(b"\r\n\r\n") + 4
assert data.split(b" ")[1] == b"101" and b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in data[:end], data[:end]
data, out = data[end:], []
while len(data) >= 2:
    op, n = data[0] & 0x0F, data[1] & 0x7F
    payload, data = data[2:2 + n], data[2 + n:]
    if op == 0x8:
        out.append("close %d" % (struct.unpack(">H", payload[:2])[0] if n >= 2 else 0))
    elif op == 0xA:
        out.append("pong " + payload.decode())
    else:
        out.append({0x1: "text", 0x9: "ping"}.get(op, "op%d" % op))
print(" ".join(out))
PY
}
check "an unmasked frame from a client closes it with 1002 (RFC 6455 5.1)" [ "$(raw_ws unmasked)" = "close 1002" ]
check "reserved bits set: 1002" [ "$(raw_ws rsv)" = "close 1002" ]
check "an unknown opcode: 1002" [ "$(raw_ws opcode)" = "close 1002" ]
check "a continuation with no message begun: 1002" [ "$(raw_ws continuation)" = "close 1002" ]
check "a close code no endpoint may send (1005): 1002" [ "$(raw_ws close_code)" = "close 1002" ]
check "text that is not UTF-8: 1007" [ "$(raw_ws utf8)" = "close 1007" ]
check "a ping is answered with its payload, a close with a close" [ "$(raw_ws ping)" = "pong hi close 1000" ]
check "a fragmented text message, a character split across frames, is fine" [ "$(raw_ws fragments)" = "close 1000" ]
check "clients closed for breaking the protocol are counted" \
	[ "$(metric livehud_clients_failed_total)" -ge 6 ]
check "and logged with the reason" contains "$T/bridge.err" 'unmasked frame from a client'
check "--log-json writes JSON log lines" $PY -c "
import json, sys
lines = [l for l in open('$T/bridge.err') if l.startswith('{')]
assert lines and all(json.loads(l)['level'] for l in lines)
"
kill -TERM "$BRIDGE_PID"; wait "$BRIDGE_PID"

# ---- idle clients: pinged after --ping-interval, hung up on 5 s after that ----
start_bridge --redis "$REDIS_URL" --channel "$CH" --ping-interval 1
bg pinged $WS hold "$WSURL/ws/runs"
wait_for 10 connected pinged
t0=$(date +%s)
check "a client that never answers is pinged, then hung up on" [ "$(raw_ws silent)" = "ping" ]
check "after the interval and 5 s more" [ $(($(date +%s) - t0)) -ge 5 ]
check "one that answers the pings stays" not contains "$T/pinged.out" closed
kill -TERM "$BRIDGE_PID"; wait "$BRIDGE_PID"

# ---- the history's byte budget ----
start_bridge --redis "$REDIS_URL" --channel "$CH" --history 100 --history-bytes 20000
$PY -c "
import json
for run in ('hb-a', 'hb-b', 'hb-c'):
    for i in range(40):
        print(json.dumps({'run_id': run, 'category': 'THOUGHT', 'message': '%s %02d ' % (run, i) + 'x' * 140}))
" | "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" >/dev/null
hb_settled() { [ "$(metric livehud_events_received_total)" = 120 ]; }
wait_for 10 hb_settled
hb=$(metric 'livehud_history_bytes{history="run"}')
check "120 frames of ~400 bytes stay within --history-bytes 20000" [ "$hb" -le 20000 ] && [ "$hb" -gt 15000 ]
check "the frames let go are counted" metric_at_least 'livehud_history_evicted_total{history="run"}' 60
check "so is /ws/runs's share" metric_at_least 'livehud_history_evicted_total{history="all"}' 60
bg hbc $WS recv "$WSURL/ws/runtime/hb-c?since=0" 40
check "the most recent run keeps all it had" wait_for 10 lines_in "$T/hbc.out" 41
check "from its first event" contains "$T/hbc.out" '"seq":1,'
bg hbe $WS recv "$WSURL/ws/runtime/hb-a?since=1" 1
wait_for 10 lines_in "$T/hbe.out" 2
epoch=$($PY -c "import json; print(json.loads(open('$T/hbe.out').readlines()[1])['epoch'])")
bg hba $WS recv "$WSURL/ws/runtime/hb-a?since=1&epoch=$epoch" 1
check "the stalest run lost its frames first: resuming there is a gap" \
	wait_for 10 contains "$T/hba.out" '"type":"gap","run_id":"hb-a","from":2,"to":40,'
check "for lack of history" contains "$T/hba.out" '"reason":"history"'
kill -TERM "$BRIDGE_PID"; wait "$BRIDGE_PID"

# ---- what it cannot serve: said, exit 1, no crash ----
BUSY=$(free_port)
$PY -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $BUSY)); s.listen(); print('ok', flush=True); time.sleep(30)" >"$T/busy.out" &
PIDS="$PIDS $!"
wait_for 10 contains "$T/busy.out" ok
"$LIVEHUD" bridge --listen "127.0.0.1:$BUSY" --redis "$REDIS_URL" 2>"$T/busy.err"
check "a port in use: exit 1 (not a crash)" [ $? -eq 1 ]
check "saying it cannot serve there" contains "$T/busy.err" "cannot serve on 127.0.0.1:$BUSY"
check "and why, from the system, not a guess" contains "$T/busy.err" "livehud bridge: cannot serve on 127.0.0.1:$BUSY: Address already in use"
check "nothing from libwebsockets' own log" not contains "$T/busy.err" "ERROR on binding"
check "no 'stopped' for what never started" not contains "$T/busy.err" "stopped"
"$LIVEHUD" bridge --listen "127.0.0.1:$(free_port)" --redis "$REDIS_URL" --tls-cert "$T/none.pem" --tls-key "$T/none.key" 2>"$T/notls.err"
check "unreadable TLS files: exit 1 too" [ $? -eq 1 ]
check "saying so" contains "$T/notls.err" "cannot serve on"
check "naming the file and the error" contains "$T/notls.err" "cannot read --tls-cert $T/none.pem: No such file or directory"

# ---- a config file (only when named: the HUD's default file is not the bridge's) ----
CPORT=$(free_port)
printf '# the bridge\nlisten = 127.0.0.1:%s\nchannel = %s\nhistory = 2\ntoken = from-file\nlog-json = yes\n' \
	"$CPORT" "$CH" >"$T/bridge.conf"
bg confbridge "$LIVEHUD" bridge --config "$T/bridge.conf" --redis "$REDIS_URL" --token from-cli
CB=$BG_PID
check "the bridge listens where its config says" wait_for 10 http_status "http://127.0.0.1:$CPORT/health"
check "with the config's history" wait_for 10 contains "$T/confbridge.err" 'history 2 per run'
check "the command line wins: its token opens /metrics" \
	[ "$(http_status "http://127.0.0.1:$CPORT/metrics" -H 'Authorization: Bearer from-cli')" = 200 ]
check "and the config's does not" \
	[ "$(http_status "http://127.0.0.1:$CPORT/metrics" -H 'Authorization: Bearer from-file')" = 401 ]
kill -TERM "$CB"; wait "$CB"
printf 'theme = dark\n' >"$T/bad.conf"
"$LIVEHUD" bridge --config "$T/bad.conf" 2>"$T/badconf.err"
check "a HUD option in a bridge config exits 2" [ $? -eq 2 ]
check "naming the file and the line" contains "$T/badconf.err" "$T/bad.conf, line 1: unknown option 'theme'"

printf 's3cr3t\n' >"$T/token"
start_bridge --redis "$REDIS_URL" --channel "$CH" --token-file "$T/token" --allow-origin https://console.example
check "no token: 401" [ "$($WS status "$WSURL/ws/runs")" = 401 ]
check "a wrong token: 401" [ "$($WS status "$WSURL/ws/runs" --header 'Authorization: Bearer nope')" = 401 ]
check "Bearer token: accepted" [ "$($WS status "$WSURL/ws/runs" --header 'Authorization: Bearer s3cr3t')" = 101 ]
check "?token=: accepted" [ "$($WS status "$WSURL/ws/runs?token=s3cr3t")" = 101 ]
check "another origin: 403" [ "$($WS status "$WSURL/ws/runs?token=s3cr3t" --header 'Origin: https://evil.example')" = 403 ]
check "the allowed origin: accepted" [ "$($WS status "$WSURL/ws/runs?token=s3cr3t" --header 'Origin: https://console.example')" = 101 ]
bg origin_ws "$LIVEHUD" --ws "$WSURL" --token s3cr3t --plain
OWS=$BG_PID
authed_clients() { curl -s -H 'Authorization: Bearer s3cr3t' "$BRIDGE/metrics" | grep -q '^livehud_clients [1-9]'; }
check "livehud's own --ws client is no browser: --allow-origin lets it in" wait_for 10 authed_clients
emit --run flow-o --category THOUGHT --message "to a --ws client"
check "and it gets events" wait_for 10 contains "$T/origin_ws.out" 'to a --ws client'
kill -TERM "$OWS"
"$LIVEHUD" --ws "$WSURL" --token nope --plain >/dev/null 2>"$T/wrongtoken.err"
check "a wrong token: livehud --ws --plain exits 1" [ $? -eq 1 ]
check "saying the status and what it means" contains "$T/wrongtoken.err" '401 Unauthorized: missing or wrong token (--token)'
check "without retrying" not contains "$T/wrongtoken.err" 'retrying'
refused_now() { curl -s -H 'Authorization: Bearer s3cr3t' "$BRIDGE/metrics" | awk '$1 == "livehud_requests_refused_total{status=\"401\"}" { print $2 }'; }
refused_before=$(refused_now)
hud_start wt 120 30 "$LIVEHUD --config /dev/null --ws $WSURL --token nope"
check "the HUD shows the refusal and how to retry" wait_screen wt '401 Unauthorized: missing or wrong token (--token) (R: retry)'
check "it made one attempt" [ "$(refused_now)" -eq $((refused_before + 1)) ]
keys wt R
retried_once() { [ "$(refused_now)" -eq $((refused_before + 2)) ]; }
check "R tries again, once" wait_for 10 retried_once
check "and shows the refusal again" wait_screen wt '(R: retry)'
keys wt q
"$LIVEHUD" --ws "$WSURL/ws/elsewhere" --token s3cr3t --plain >/dev/null 2>"$T/badpath.err" &
BP=$!
check "a refused path says its status, 400" wait_for 10 contains "$T/badpath.err" '400 Bad Request'
check "and keeps retrying, as for any failure that is not 401 or 403" contains "$T/badpath.err" 'retrying'
kill -TERM "$BP"
# A 253-character host makes an Origin longer than any fixed buffer.
LONG_ORIGIN="https://$($PY -c "print('.'.join(['a' * 63] * 4)[:253])")"
check "a 261-byte Origin is compared whole, not taken for none: 403" \
	[ "$($WS status "$WSURL/ws/runs?token=s3cr3t" --header "Origin: $LONG_ORIGIN")" = 403 ]
check "the allowed origin with more after it: 403" \
	[ "$($WS status "$WSURL/ws/runs?token=s3cr3t" --header 'Origin: https://console.example.evil.example')" = 403 ]
# raw_upgrade ORIGIN_BYTES: the status line's code for an upgrade sent byte for byte.
raw_upgrade() {
	$PY - "$BRIDGE_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
origin = sys.argv[2].encode().replace(b"\\0", b"\0")
s.sendall(b"GET /ws/runs?token=s3cr3t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: " + origin + b"\r\n\r\n")
line = s.recv(4096).split(b"\r\n")[0].split()
print(line[1].decode() if len(line) > 1 else "closed")
PY
}
check "an Origin with a NUL inside is not the allowed one" not [ "$(raw_upgrade 'https://console.example\0.evil')" = 101 ]
check "sent byte for byte, the allowed origin still passes" [ "$(raw_upgrade 'https://console.example')" = 101 ]
# raw_status HEX: the status line's code for those bytes, sent and left
# open; "none" when nothing came back within 5 s (the head's own timeout
# is 20 s: an answer within 5 is one at the first byte that told).
raw_status() {
	$PY - "$BRIDGE_PORT" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(bytes.fromhex(sys.argv[2]))
try:
    line = s.recv(4096).split(b"\r\n")[0].split()
    print(line[1].decode() if len(line) > 1 else "closed")
except socket.timeout:
    print("none")
PY
}
# a TLS ClientHello's first bytes, as a browser sends to an https:// URL
check "a TLS hello on the plain port gets 400 at once, not after the head's 20 s" \
	[ "$(raw_status 160301020001000100fc0303)" = 400 ]
check "so does a blob of 40 letters with no space: no method is that long" \
	[ "$(raw_status "$(printf 'A%.0s' $(seq 40) | od -An -v -tx1 | tr -d ' \n')")" = 400 ]
check "a POST: 405" [ "$(raw_status "$(printf 'POST /health HTTP/1.1\r\nHost: x\r\n\r\n' | od -An -v -tx1 | tr -d ' \n')")" = 405 ]
check "/metrics without the token: 401" http_is 401 "$BRIDGE/metrics"
check "/metrics with it: 200" [ "$(http_status "$BRIDGE/metrics" -H 'Authorization: Bearer s3cr3t')" = 200 ]
curl -s -H 'Authorization: Bearer s3cr3t' "$BRIDGE/metrics" >"$T/metrics.txt"
check "refusals are counted by status" grep -q '^livehud_requests_refused_total{status="403"} [1-9]' "$T/metrics.txt"
check "the early 400s and the 405 too" sh -c "grep -q '^livehud_requests_refused_total{status=\"400\"} [1-9]' '$T/metrics.txt' &&
	grep -q '^livehud_requests_refused_total{status=\"405\"} 1\$' '$T/metrics.txt'"
check "with the build" grep -q '^livehud_build_info{version="[0-9.]*"} 1$' "$T/metrics.txt"
check "and the process metrics" sh -c "grep -q '^process_resident_memory_bytes [1-9]' '$T/metrics.txt' &&
	grep -q '^process_open_fds [1-9]' '$T/metrics.txt' && grep -q '^process_cpu_seconds_total ' '$T/metrics.txt' &&
	grep -q '^process_start_time_seconds [1-9]' '$T/metrics.txt'"
check "each refusal is logged with its status, path, peer and reason" \
	grep -q 'refused 403 /ws/runs from 127.0.0.1: origin not allowed' "$T/bridge.err"
check "the TLS hello's too, before any path" \
	grep -q 'refused 400 (head not read whole) from 127.0.0.1: control byte in the request head' "$T/bridge.err"
check "without the token it carried" not grep -q 's3cr3t' "$T/bridge.err"
if command -v promtool >/dev/null; then
	check "promtool check metrics finds nothing wrong" sh -c "promtool check metrics <'$T/metrics.txt'"
else
	echo "# promtool (Debian package prometheus) is not installed: the format check is skipped"
fi
check "/health needs no token" http_is 200 "$BRIDGE/health"

# ---- TLS ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 >/dev/null 2>&1
	TLS_PORT=$(free_port)
	"$LIVEHUD" bridge --listen "127.0.0.1:$TLS_PORT" --redis "$REDIS_URL" --channel "$CH" \
		--tls-cert "$T/cert.pem" --tls-key "$T/key.pem" 2>"$T/tls.err" &
	PIDS="$PIDS $!"
	check "TLS: https /health answers" wait_for 10 http_is 200 "https://127.0.0.1:$TLS_PORT/health" -k
	bg tls $WS recv "wss://127.0.0.1:$TLS_PORT/ws/runtime/flow-tls" 1
	wait_for 10 connected tls
	emit --run flow-tls --category THOUGHT --message "over tls"
	check "TLS: a wss client gets events" wait_for 10 contains "$T/tls.out" 'over tls'
fi
# ---- resuming on runs nobody published allocates nothing ----
start_bridge --redis "$REDIS_URL" --channel "$CH:few" --max-runs 2
wait_for 10 has_subscribers "$CH:few"
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH:few" --run real --category THOUGHT --message "kept 1" >/dev/null
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH:few" --run real --category THOUGHT --message "kept 2" >/dev/null
wait_for 10 metric_at_least livehud_events_received_total 2
$WS recv "$WSURL/ws/runtime/real?since=0" 3 >"$T/real.out"
real_epoch=$($PY -c "import json; print([json.loads(l) for l in open('$T/real.out') if '\"seq\"' in l][-1]['epoch'])")
for i in $(seq 1 20); do $WS status "$WSURL/ws/runtime/ghost$i?since=5&epoch=old" >/dev/null; done
check "20 resumes on unknown runs make no history" [ "$(metric livehud_runs)" = 1 ]
check "and forget no real run" [ "$(metric livehud_runs_forgotten_total)" = 0 ]
$WS recv "$WSURL/ws/runtime/real?since=1&epoch=$real_epoch" 1 >"$T/real2.out"
check "the real run still resumes in its epoch, without a gap" $PY - "$T/real2.out" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
assert len(ev) == 1 and ev[0].get('type') == 'log_event' and ev[0]['payload']['message'] == 'kept 2', ev
PY
$WS recv "$WSURL/ws/runtime/ghost1?since=5&epoch=old" 1 >"$T/ghost.out"
check "an unknown run's resume is told its numbers restart" grep -q '"type":"gap".*"from":1,"to":0' "$T/ghost.out"

done_testing
