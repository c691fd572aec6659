#!/bin/sh
# Acting on a run from the HUD (the real binary under tmux) against a
# kernel-like server on one port that serves the WebSocket and records the
# POSTs: A approves, X stops, each asked first and its outcome said; the
# bell rings when a run starts waiting for approval (read through
# pipe-pane, as a terminal would get it).
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

FRAMES="$T/frames"
cat >"$FRAMES" <<'EOF2'
{"type":"state_update","state":{"run_id":"flow-7","status":"running","active_agents":["researcher"],"completed_agents":[],"failed_agents":[],"total_tokens_used":10}}
{"type":"log_event","agent_id":"researcher","payload":{"message":"web_search({\"query\": \"RARO\"}...)","metadata":"IO_REQ","category":"TOOL_CALL"},"timestamp":"2026-01-08T10:30:45Z"}
{"type":"intervention_event","agent_id":"researcher","payload":{"reason":"delete 3 files in /data?"},"timestamp":"2026-01-08T10:30:47Z"}
{"type":"state_update","state":{"run_id":"flow-7","status":"awaitingapproval","active_agents":["researcher"],"completed_agents":[],"failed_agents":[],"total_tokens_used":15}}
EOF2
POSTS="$T/posts"
: >"$POSTS"
KPORT=$(free_port)
$PY "$TESTS_SRCDIR/kernel_server.py" "$KPORT" "$FRAMES" "$POSTS" flow-7 >"$T/kernel.log" 2>&1 &
PIDS="$PIDS $!"
kernel_up() { curl -s -o /dev/null "http://127.0.0.1:$KPORT/"; [ $? -ne 7 ]; }
wait_for 10 kernel_up || { echo "1..0 # SKIP the kernel-like server did not start"; exit 0; }

# The pane's output is piped from before the HUD starts, so the bell that
# comes with the approval cannot be missed.
hud_start act 120 30 "sh -c 'read go; exec $LIVEHUD --ws ws://127.0.0.1:$KPORT/ws/runtime/flow-7 --token sekret'"
tm pipe-pane -t act "cat >>'$T/act.out'"
keys act Enter
check "the banner says approval is required and which key approves" wait_screen act 'APPROVAL REQUIRED (A: approve, X: stop)'
bell() { grep -q "$(printf '\a')" "$T/act.out"; }
check "the bell rings when the run starts waiting for approval" wait_for 10 bell

keys act A
check "A asks first" wait_screen act 'Approve run flow-7? y/n'
keys act y
check "and says the outcome" wait_screen act 'run flow-7 resumed'
check "POST /runtime/flow-7/resume reached the kernel with the token" grep -qx 'POST /runtime/flow-7/resume Bearer sekret' "$POSTS"

keys act X
check "X asks first" wait_screen act 'Stop run flow-7? y/n'
keys act n
check "n cancels" wait_screen act 'cancelled'
check "and nothing is sent" not grep -q '/stop' "$POSTS"
keys act X y
check "X then y stops the run" wait_screen act 'run flow-7 stopped'
check "POST /runtime/flow-7/stop was sent" grep -qx 'POST /runtime/flow-7/stop Bearer sekret' "$POSTS"
keys act q

# ---- --kernel for another source; a refusal is said with its status ----
F="$T/other.jsonl"
echo '{"run_id":"flow-x","agent_id":"a","category":"THOUGHT","message":"hello"}' >"$F"
hud_start other 100 24 "$LIVEHUD --file $F --kernel http://127.0.0.1:$KPORT --bell none"
check "--kernel with a file source" wait_screen other 'hello'
keys other X y
check "a refusal is shown with its status" wait_screen other 'stop failed: 404 Not Found'
check "POST went to the run shown" grep -qx 'POST /runtime/flow-x/stop -' "$POSTS"
keys other q

# ---- no kernel: the keys say how to configure one ----
hud_start none 120 24 "$LIVEHUD --file $F"
check "the file is shown" wait_screen none 'hello'
keys none A
check "A without a kernel says how to give one" wait_screen none 'need the kernel'"'"'s HTTP API'
keys none q

# ---- a kernel that is not there ----
DEAD=$(free_port)
hud_start dead 120 24 "$LIVEHUD --file $F --kernel http://127.0.0.1:$DEAD"
check "the file is shown" wait_screen dead 'hello'
keys dead X y
check "a kernel that does not answer: the failure is said" wait_for 10 screen_has_re dead 'stop failed: .+'
keys dead q

# ---- over TLS: wss:// for the stream, https:// for the API, one --ca ----
if command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1
	SPORT=$(free_port)
	: >"$T/tposts"
	$PY "$TESTS_SRCDIR/kernel_server.py" "$SPORT" "$FRAMES" "$T/tposts" --tls "$T/cert.pem" "$T/key.pem" flow-7 \
		>"$T/tkernel.log" 2>&1 &
	PIDS="$PIDS $!"
	tls_up() { curl -s -o /dev/null --cacert "$T/cert.pem" "https://127.0.0.1:$SPORT/"; [ $? -ne 7 ]; }
	wait_for 10 tls_up
	hud_start tls 120 30 "$LIVEHUD --ws wss://127.0.0.1:$SPORT/ws/runtime/flow-7 --ca $T/cert.pem --bell none"
	check "wss: the approval arrives" wait_screen tls 'APPROVAL REQUIRED (A: approve, X: stop)'
	keys tls A y
	check "A over https with the same --ca" wait_screen tls 'run flow-7 resumed'
	check "the kernel got POST /runtime/flow-7/resume over TLS" grep -qx 'POST /runtime/flow-7/resume -' "$T/tposts"
	keys tls q
else
	echo "# openssl is not installed: the TLS part is skipped"
fi

# ---- --bell: none is silent; errors rings on a failed call too ----
E="$T/err.jsonl"
echo '{"run_id":"r","agent_id":"a","category":"TOOL_RESULT","tool_name":"t","metadata":"IO_ERR","message":"boom"}' >"$E"
hud_start quiet 100 24 "sh -c 'read go; exec $LIVEHUD --file $E --bell none'"
tm pipe-pane -t quiet "cat >>'$T/quiet.out'"
keys quiet Enter
check "--bell none: the error is shown" wait_screen quiet 'boom'
check "and no bell rang" not grep -q "$(printf '\a')" "$T/quiet.out"
keys quiet q
hud_start loud 100 24 "sh -c 'read go; exec $LIVEHUD --file $E --bell errors'"
tm pipe-pane -t loud "cat >>'$T/loud.out'"
keys loud Enter
check "--bell errors: a failed call rings" wait_for 10 grep -q "$(printf '\a')" "$T/loud.out"
keys loud q

check "--kernel must be http(s)" sh -c "$LIVEHUD --kernel ftp://x --file $F --plain 2>&1 | grep -q 'an http:// or https:// URL'"
done_testing
