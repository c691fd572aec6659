#!/bin/sh
# livehud --ws: against the project's own bridge (with a bridge restart in
# the middle), against a scripted kernel-like server (state, lifecycle,
# intervention, errors, completion), and over TLS with a certificate made
# here; in plain output and in the HUD.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
$PY -c 'import websockets' 2>/dev/null || { echo "1..0 # SKIP python3-websockets is not installed"; exit 0; }
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:ws:$$"
emit() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" "$@" >/dev/null; }

# ---- through the bridge, with a restart in the middle ----
start_bridge --redis "$REDIS_URL" --channel "$CH"
wait_for 10 has_subscribers "$CH"
bg plain "$LIVEHUD" --ws "$WSURL" --run flow-w --plain
PLAIN=$BG_PID
bg all "$LIVEHUD" --ws "$WSURL" --json
check "--ws with --run connects to the bridge" wait_for 10 metric_at_least livehud_clients 2
emit --run flow-w --agent researcher --tool web_search --args '{"query": "RARO"}'
emit --run flow-w --agent researcher --category TOOL_RESULT --tool web_search --message "Found 2" --duration-ms 120
emit --run other --category THOUGHT --message "elsewhere"
check "the call arrives with its args (the bridge passes them)" wait_for 10 contains "$T/plain.out" 'RESEARCHER → web_search(query="RARO")'
check "paired with its result and duration_ms" wait_for 10 contains "$T/plain.out" '↳ Found 2 (120ms)'
check "another run's event is not shown for --run" not contains "$T/plain.out" elsewhere
check "a bare URL watches every run (/ws/runs), here as JSON" wait_for 10 contains "$T/all.out" '"message":"elsewhere"'

kill -TERM "$BRIDGE_PID"; wait "$BRIDGE_PID"
check "the bridge going away is retried, not fatal" wait_for 10 contains "$T/plain.err" 'retrying'
check "livehud keeps running" is_running "$PLAIN"
start_bridge --redis "$REDIS_URL" --channel "$CH" --listen "127.0.0.1:$BRIDGE_PORT" 2>/dev/null ||
	start_bridge --redis "$REDIS_URL" --channel "$CH"
check "after the restart it reconnects" wait_for 15 contains "$T/plain.err" 'live again'
emit --run flow-w --category THOUGHT --message "after restart"
check "and shows later events" wait_for 10 contains "$T/plain.out" 'after restart'
check "the lost history (new epoch) is marked in the timeline" contains "$T/plain.out" '[GAP]'
check "the /ws/runs client resumed too, and marks the lost history across runs" wait_for 10 contains "$T/all.out" 'across runs (epoch)'
emit --run other --category THOUGHT --message "elsewhere later"
check "and gets later events of every run" wait_for 10 contains "$T/all.out" 'elsewhere later'
kill -TERM "$PLAIN"; wait "$PLAIN"
check "SIGTERM exits 0" [ $? -eq 0 ]

# ---- a kernel-like server: every frame type, then completion ----
KPORT=$(free_port)
$PY "$TESTS_SRCDIR/fake_kernel.py" "$KPORT" "$T/go" >"$T/kernel.log" 2>&1 &
PIDS="$PIDS $!"
kernel_up() { curl -s -o /dev/null "http://127.0.0.1:$KPORT/" ; [ $? -ne 7 ]; }
wait_for 10 kernel_up
bg k "$LIVEHUD" --ws "ws://127.0.0.1:$KPORT" --run flow-k --plain
K=$BG_PID
check "state_update: the run's status, agents and tokens" wait_for 10 contains "$T/k.out" '== status running: 1 active, 0 completed, 0 failed agents, 1200 tokens =='
check "agent_started" contains "$T/k.out" '[AGENT]   RESEARCHER started'
check "a log_event without tool_name still shows the call" contains "$T/k.out" 'RESEARCHER → web_search({"query": "RARO"}...)'
check "and pairs its result from the message text, with the time between them" contains "$T/k.out" '↳ Found 3 citations. (300ms)'
check "a null agent is SYSTEM, missing metadata is INFO" contains "$T/k.out" '[INFO]    SYSTEM REASONING: planning'
check "an {\"error\"} frame is an error row" contains "$T/k.out" '[IO_ERR]  SYSTEM INFO: tool sandbox crashed'
check "intervention_event: approval required, with the reason" wait_for 10 contains "$T/k.out" '[APPROVAL REQUIRED] RESEARCHER: delete 3 files in /data?'
touch "$T/go"
check "completion is shown" wait_for 10 contains "$T/k.out" '== status completed: 0 active, 1 completed, 0 failed agents, 2048 tokens =='
check "agent_completed too" contains "$T/k.out" '[AGENT]   RESEARCHER completed'
check "the closed stream of a completed run ends livehud" wait_for 10 not_running "$K"
check "saying the run completed" contains "$T/k.err" 'run completed'
wait "$K"
check "with status 0" [ $? -eq 0 ]
check "and no reconnection attempt" not contains "$T/k.err" 'retrying'

# ---- the same in the HUD ----
rm -f "$T/go"
hud_start kh 170 30 "$LIVEHUD --ws ws://127.0.0.1:$KPORT/ws/runtime/flow-k"
check "HUD: the approval banner shows, with its reason" wait_screen kh 'APPROVAL REQUIRED (A: approve, X: stop) RESEARCHER: delete 3 files in /data?'
check "HUD: the run's status and tokens are in the filter line" screen_has kh 'awaitingapproval 1500 tok'
check "HUD: the kernel's error is a row" screen_has kh 'tool sandbox crashed'
check "HUD: a call without tool_name reads as plain output shows it, not as web_search()" \
	screen_has kh 'web_search({"query": "RARO"}...)'
check "HUD: never as an empty call" not screen_has kh 'web_search()'
keys kh / 'web_search' Enter
check "HUD: its detail reads the same call" wait_screen kh 'Call     web_search({"query": "RARO"}...)'
touch "$T/go"
check "HUD: completion is said in the header" wait_screen kh 'run completed'
check "HUD: the banner goes once the run moved on" not screen_has kh 'APPROVAL REQUIRED'
check "HUD: the finished agent is marked done" screen_has kh '✓ RESEARCHER'
keys kh q

# ---- TLS with a certificate made here ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	TPORT=$(free_port)
	rm -f "$T/go"
	$PY "$TESTS_SRCDIR/fake_kernel.py" "$TPORT" "$T/go" "$T/cert.pem" "$T/key.pem" >"$T/tkernel.log" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 10 kernel_up
	bg tca "$LIVEHUD" --ws "wss://127.0.0.1:$TPORT" --run flow-k --plain --ca "$T/cert.pem"
	check "wss with --ca: events arrive" wait_for 10 contains "$T/tca.out" 'web_search'
	bg tbad "$LIVEHUD" --ws "wss://127.0.0.1:$TPORT" --run flow-k --plain
	check "wss without the CA: refused and retried" wait_for 10 contains "$T/tbad.err" 'retrying'
	check "and nothing shown" not contains "$T/tbad.out" 'web_search'
	bg tins "$LIVEHUD" --ws "wss://127.0.0.1:$TPORT" --run flow-k --plain --insecure
	check "--insecure accepts it" wait_for 10 contains "$T/tins.out" 'web_search'
	hud_start tls 100 30 "$LIVEHUD --ws wss://127.0.0.1:$TPORT --run flow-k --insecure"
	check "HUD: --insecure is shown as a warning in the header" wait_screen tls 'INSECURE'
	keys tls q
	# A certificate for the name only: livehud connects to the address it
	# looked up, and TLS still checks the name.
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/nkey.pem" -out "$T/ncert.pem" -days 1 \
		-subj /CN=localhost -addext subjectAltName=DNS:localhost >/dev/null 2>&1
	NPORT=$(free_port)
	$PY "$TESTS_SRCDIR/fake_kernel.py" "$NPORT" "$T/go" "$T/ncert.pem" "$T/nkey.pem" >"$T/nkernel.log" 2>&1 &
	PIDS="$PIDS $!"
	KPORT=$NPORT
	wait_for 10 kernel_up
	bg tname "$LIVEHUD" --ws "wss://localhost:$NPORT" --run flow-k --plain --ca "$T/ncert.pem"
	check "wss://localhost: looked up, connected, the certificate checked against the name" \
		wait_for 10 contains "$T/tname.out" 'web_search'
	bg tip "$LIVEHUD" --ws "wss://127.0.0.1:$NPORT" --run flow-k --plain --ca "$T/ncert.pem"
	check "the same certificate for the bare address is refused" wait_for 10 contains "$T/tip.err" 'retrying'
	check "and nothing shown" not contains "$T/tip.out" 'web_search'
fi

# ---- a name that does not resolve ----
bg noname "$LIVEHUD" --ws "ws://no-such-host.invalid:1" --plain
N=$BG_PID
check "a host that does not resolve is said so" wait_for 15 contains "$T/noname.err" 'resolve no-such-host.invalid'
check "and retried" contains "$T/noname.err" 'retrying'
kill -TERM "$N"; wait "$N"
check "SIGTERM exits 0" [ $? -eq 0 ]
# ---- a hostile server: numbers no gap can have ----
$PY - "$T/hostile.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for frm, to in [(-2**63, 2**63 - 1), (1, 2**64), (1.5, 3), ("1", 2)]:
        f.write(json.dumps({"type": "gap", "run_id": "h", "from": frm, "to": to, "epoch": "e", "reason": "x"}) + "\n")
    f.write(json.dumps({"type": "gap", "run_id": "h", "from": 3, "to": 5, "epoch": "e", "reason": "history"}) + "\n")
    f.write(json.dumps({"type": "log_event", "agent_id": "a", "run_id": "h", "seq": -1, "epoch": "e",
                        "payload": {"message": "after", "category": "THOUGHT"}}) + "\n")
PY
scripted_server "$T/hostile.jsonl"
HPORT=$SPORT
bg hg "$LIVEHUD" --ws "ws://127.0.0.1:$HPORT/ws/runtime/h" --plain
HG=$BG_PID
check "a sane gap after insane ones is shown" wait_for 10 contains "$T/hg.out" '3 events missed (seq 3-5, history)'
check "and so is the event after it" wait_for 10 contains "$T/hg.out" 'after'
check "gaps of ±2^63, 2^64, fractions and strings are rejected, saying why" \
	contains "$T/hg.err" "a gap's from and to must be integers from 0 to 2^53"
check "no nonsense count is shown" not grep -q 'events missed (seq -\|[0-9]\{17,\} events' "$T/hg.out"
check "only the sane gap is shown" [ "$(grep -c 'missed' "$T/hg.out")" -eq 1 ]
kill -TERM "$HG"; wait "$HG"
check "at exit, the four are counted" grep -q 'rejected payloads: wrong_type 4' "$T/hg.err"

done_testing
