#!/bin/sh
# Untrusted text in every place the HUD draws it: a run id, an agent, a
# tool, args and messages made of terminal escapes, a carriage return, bidi
# and other invisible characters, and from a kernel-like server a run
# status and an approval reason of the same. Every byte the HUD writes to
# the terminal is recorded (tmux pipe-pane) while the timeline, agents,
# detail, pickers, stats, status line and banner show them; none of the
# hostile sequences may be in it, and the screen shows their visible marks.
# Plain and JSON output get the same payloads.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
$PY -c 'import websockets' 2>/dev/null || { echo "1..0 # SKIP python3-websockets is not installed"; exit 0; }

# H: every hostile piece; each test string is H around a name.
$PY - "$T/hostile.jsonl" <<'PY'
import json, sys
H = "\r\x1b]0;PWNED\x07\x1b[2J\u202eRTL\u2066ISO\u200bZW\ufeffBOM\U000e0041TAG"
ev = lambda **k: json.dumps(dict(timestamp="2026-01-08T10:30:45.100000", **k))
with open(sys.argv[1], "w") as f:
    for line in [
        ev(run_id="run" + H, agent_id="agent" + H, category="TOOL_CALL", metadata="IO_REQ",
           message="call" + H, tool_name="tool" + H, args={"key" + H: "val" + H}),
        ev(run_id="run" + H, agent_id="agent" + H, category="TOOL_RESULT", metadata="IO_OK",
           message="result" + H, tool_name="tool" + H, duration_ms=10000),
        ev(run_id="run" + H, agent_id="agent" + H, category="THOUGHT" + H, metadata="META" + H,
           message="note" + H),
    ]:
        f.write(line + "\n")
PY

# forbidden FILE: the hostile sequences, any of which in FILE is a failure.
forbidden() {
	$PY - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
bad = [b"\x1b]0;PWNED", b"\rSPOOF", "\u202e".encode(), "\u2066".encode(), "\u200b".encode(),
       "\ufeff".encode(), "\U000e0041".encode()]
found = [repr(b) for b in bad if b in data]
print(" ".join(found))
sys.exit(1 if found else 0)
PY
}

hud_start h 160 40 "$LIVEHUD --config /dev/null --file $T/hostile.jsonl"
tm pipe-pane -t h -o "cat >>'$T/tty.raw'"
check "the timeline shows the call, its marks visible" wait_screen h 'tool⏎^[]0;PWNED^G^[[2J<U+202E>RTL<U+2066>ISO'
check "the agents panel too" screen_has h 'AGENT⏎^[]0;PWNED^G'
check "the detail shows the run id with its marks" screen_has h 'run⏎^[]0;PWNED^G^[[2J<U+202E>'
keys h r
check "the run picker" wait_screen h 'run⏎^[]0;PWNED'
keys h Down Down Enter
check "the status line names the chosen run" wait_for 10 screen_has_re h '^FOLLOW run run⏎\^\[\]0;PWNED'
keys h a
check "the agent picker" wait_screen h 'AGENT⏎^[]0;PWNED'
keys h Down Enter
check "the status line names the chosen agent" wait_for 10 screen_has_re h 'agent agent⏎\^\[\]0;PWNED'
keys h s
check "stats: the title names the run" wait_screen h 'STATS  run run⏎^[]0;PWNED'
check "stats: the tool" screen_has h 'tool⏎^[]0;PWNED'
keys h Escape
wait_for 10 not screen_has h 'STATS  run'
keys h g Enter
check "the full detail: the args, escaped as JSON" wait_screen h '"key\r\u001b]0;PWNED\u0007\u001b[2J\u202eRTL'
check "the detail's call line, marked" screen_has h 'Call     tool⏎^[]0;PWNED^G'
keys h Escape
wait_for 10 not screen_has h 'DETAIL  (Esc: back'
keys h Escape
wait_for 10 not screen_has h 'agent agent⏎'
keys h / 'PWNED' Enter
check "a search over hostile text finds it" wait_screen h '/PWNED/'
keys h q
wait_for 10 hud_exited h
tm pipe-pane -t h
check "nothing hostile reached the terminal from a file" forbidden "$T/tty.raw"

# ---- a kernel-like server: a hostile run status and approval reason ----
$PY - "$T/kernel.jsonl" <<'PY'
import json, sys
H = "\r\x1b]0;PWNED\x07\u202eRTL\u200bZW"
with open(sys.argv[1], "w") as f:
    for frame in [
        {"type": "state_update", "state": {"run_id": "k", "status": "st" + H, "active_agents": ["ag" + H],
                                           "completed_agents": [], "failed_agents": [], "total_tokens_used": 5}},
        {"type": "intervention_event", "agent_id": "ag" + H, "payload": {"reason": "why" + H}},
        {"error": "err" + H},
    ]:
        f.write(json.dumps(frame) + "\n")
PY
scripted_server "$T/kernel.jsonl"
KPORT=$SPORT
hud_start k 160 30 "$LIVEHUD --config /dev/null --ws ws://127.0.0.1:$KPORT/ws/runtime/k"
tm pipe-pane -t k -o "cat >>'$T/ktty.raw'"
check "the approval banner shows the reason's marks" wait_screen k 'why⏎^[]0;PWNED^G<U+202E>RTL<U+200B>ZW'
check "the status line shows the kernel's status, marked" screen_has k 'st⏎^[]0;PWNED^G'
check "the kernel's error row" screen_has k 'err⏎^[]0;PWNED^G'
keys k q
wait_for 10 hud_exited k
tm pipe-pane -t k
check "nothing hostile reached the terminal from the kernel" forbidden "$T/ktty.raw"

# ---- plain and JSON output ----
"$LIVEHUD" --config /dev/null --file "$T/hostile.jsonl" --plain >"$T/plain.out" 2>&1
check "plain output: nothing hostile" forbidden "$T/plain.out"
check "plain output shows the marks" contains "$T/plain.out" '<U+202E>RTL'
"$LIVEHUD" --config /dev/null --file "$T/hostile.jsonl" --json >"$T/json.out" 2>&1
check "JSON output: nothing hostile" forbidden "$T/json.out"
check "JSON output escapes them" contains "$T/json.out" '\u202eRTL\u2066ISO\u200bZW\ufeffBOM\udb40\udc41TAG'
check "and stays valid JSON, the tag character a surrogate pair" $PY -c '
import json, sys
for line in open(sys.argv[1]):
    assert "\U000e0041" in json.loads(line)["message"]' "$T/json.out"
done_testing
