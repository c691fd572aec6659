#!/bin/sh
# A real browser: headless Chromium opens a page whose script connects to
# the bridge with the browser's own WebSocket and reads frames the way the
# browser console does (PROTOCOL.md section 2).
. "$TESTS_SRCDIR/lib.sh"
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { echo "1..0 # SKIP chromium is not installed"; exit 0; }
$PY -c 'import websockets' 2>/dev/null || { echo "1..0 # SKIP python3-websockets is not installed"; exit 0; }
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:browser:$$"
start_bridge --redis "$REDIS_URL" --channel "$CH"
wait_for 10 has_subscribers "$CH"

# The console's reading of a log_event, as PROTOCOL.md describes it.
cat >"$T/console.html" <<HTML
<!doctype html>
<title>loading</title>
<script>
window.rows = [];
const ws = new WebSocket("$WSURL/ws/runtime/flow-browser");
ws.onopen = () => { document.title = "open"; };
ws.onerror = () => { document.title = "error"; };
ws.onmessage = (e) => {
  const m = JSON.parse(e.data);
  if (m.type !== "log_event") return;      // other types are ignored
  window.rows.push({
    agent: (m.agent_id || "SYSTEM").toUpperCase(),
    message: m.payload.message,
    metadata: m.payload.metadata || "INFO",
    category: m.payload.category,
    tool: m.payload.tool_name || null,
    seq: m.seq,
  });
  document.title = "rows " + window.rows.length;
};
</script>
HTML

DEVTOOLS_PORT=$(free_port)
"$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$T/chrome" --remote-debugging-port="$DEVTOOLS_PORT" \
	"file://$T/console.html" >"$T/chrome.log" 2>&1 &
PIDS="$PIDS $!"
devtools_up() { curl -s "http://127.0.0.1:$DEVTOOLS_PORT/json/version" >/dev/null; }
check "Chromium starts" wait_for 30 devtools_up
CDP="$PY $TESTS_SRCDIR/cdp.py $DEVTOOLS_PORT"
check "the page's WebSocket opens" $CDP document.title '^open$'
check "the bridge counts it as a client" wait_for 10 metric_at_least livehud_clients 1

"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-browser --agent researcher \
	--tool web_search --args '{"query": "RARO"}' >/dev/null
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-browser --category TOOL_RESULT \
	--tool web_search --message 'Found 12 citations.' --duration-ms 450 --agent researcher >/dev/null
"$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run other-run --category THOUGHT --message nope >/dev/null
printf '{"run_id":"flow-browser","message":"no agent, no metadata"}\n' |
	"$LIVEHUD" emit --raw --redis "$REDIS_URL" --channel "$CH" >/dev/null

check "the browser receives the run's three events" $CDP document.title '^rows 3$'
check "and reads them as the console does" $CDP 'JSON.stringify(window.rows)' \
	'^\[\{"agent":"RESEARCHER","message":"web_search\(\{\\"query\\": \\"RARO\\"\}\.\.\.\)","metadata":"IO_REQ","category":"TOOL_CALL","tool":"web_search","seq":1\},\{"agent":"RESEARCHER","message":"Found 12 citations\.","metadata":"IO_OK","category":"TOOL_RESULT","tool":"web_search","seq":2\},\{"agent":"SYSTEM","message":"no agent, no metadata","metadata":"INFO","category":"INFO","tool":null,"seq":3\}\]$'
done_testing
