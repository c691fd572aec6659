#!/bin/sh
# The operator's work in the HUD (the real binary under tmux): find and
# filter, marks, pending calls, copying through OSC 52 into tmux's buffer,
# saving the view and reading it back, the payload as it arrived.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }

F="$T/run.jsonl"
cat >"$F" <<'JSONL'
{"run_id":"flow-7","agent_id":"researcher","category":"TOOL_CALL","tool_name":"web_search","call_id":"c1","args":{"query":"RARO docs","n":5},"message":"web_search","timestamp":"2026-01-08T12:30:45.000+02:00"}
{"run_id":"flow-7","agent_id":"coder","category":"TOOL_CALL","tool_name":"execute_python","call_id":"c2","args":{"code":"slow()"},"message":"x","timestamp":"2026-01-08T12:30:46.000+02:00"}
{"run_id":"flow-7","agent_id":"researcher","category":"TOOL_RESULT","tool_name":"web_search","call_id":"c1","message":"Found 12 citations","metadata":"IO_OK","duration_ms":10000,"timestamp":"2026-01-08T12:30:55.000+02:00"}
{"run_id":"flow-7","agent_id":"writer","category":"THOUGHT","message":"漢字の検索 test","timestamp":"2026-01-08T12:30:56.000+02:00"}
{"run_id":"flow-7","agent_id":"writer","category":"TOOL_CALL","tool_name":"read_file","call_id":"c3","args":{"path":"/etc/hosts"},"message":"r","timestamp":"2026-01-08T12:30:57.000+02:00"}
{"run_id":"flow-7","agent_id":"writer","category":"TOOL_RESULT","tool_name":"read_file","call_id":"c3","message":"127.0.0.1 localhost","metadata":"IO_OK","duration_ms":12,"timestamp":"2026-01-08T12:30:58.000+02:00"}
{"run_id":"flow-7","agent_id":"analyst","category":"REASONING","message":"漢字 again, second match","timestamp":"2026-01-08T12:30:59.000+02:00"}
JSONL

HUD="$LIVEHUD --file $F"
hud_start op 120 40 "$HUD"
tm set -g set-clipboard on
check "the file is shown" wait_screen op 'second match'

# ---- find ----
LC_ALL=C.UTF-8 keys op / '漢字' Enter
check "/ takes UTF-8 (CJK) and says which match of how many (the newest, in follow mode)" wait_screen op 'match 2/2'
keys op n
check "n goes to the next, wrapping: match 1/2" wait_screen op 'match 1/2'
keys op / 'nothing-like-this' Enter
check "a pattern with no match says so" wait_screen op 'pattern not found'
keys op / '10.0s' Enter
check "a duration as shown is found, the stale message gone" wait_screen op 'match 1/1'
check "no stale 'not found' left" not screen_has op 'pattern not found'
keys op / 'flow-7' Enter
check "run ids are searched" wait_screen op 'match 1/5'
keys op / 'citations' Enter
check "a search finds a result's text under its call" wait_screen op 'match 1/1'
highlighted() { tm capture-pane -e -p -t op | grep -q "221m$1"; }
check "and highlights the match itself in the timeline" highlighted citations
keys op Escape

keys op '&' 'web_search|read_file' Enter
check "&PATTERN shows only matching items" wait_screen op '&web_search|read_file'
check "matching calls stay" screen_has op 'read_file(path="/etc/hosts")'
check "others go" not screen_has op '漢字の検索'
keys op '&' '!web_search' Enter
check "&!PATTERN hides the matching ones" wait_screen op '&!web_search'
check "the hidden one is gone" not screen_has op 'RARO docs'
check "the rest is there" screen_has op '漢字の検索'
keys op '&' Enter
check "& with nothing clears the filter" wait_for 10 not screen_has op '&!web_search'
check "everything is back" screen_has op 'RARO docs'

keys op p
check "p: pending calls only" wait_screen op 'pending only'
check "the call still waiting is shown" screen_has op 'execute_python(code="slow()")'
check "answered calls are not" not screen_has op 'RARO docs'
keys op p
check "p again: all again" wait_screen op 'RARO docs'

# ---- marks ----
keys op g m
check "m marks the selected item" wait_screen op 'marked (1 mark'
keys op G
keys op ']'
check "] jumps to the mark (leaving follow mode)" wait_screen op 'PAUSED'
check "a marked item shows its mark in the timeline" screen_has_re op '[0-9:]{8}◆'
keys op ']'
check "[ and ] wrap around the marks" wait_screen op 'RARO docs'

# ---- pending time: one answer, and a finished file stops counting ----
pending_timer() { screen op | grep -o 'slow()") *[^ ]* [0-9.]*[a-z]*' | awk '{print $NF}'; }
check "a finished file's pending call counts to the file's last event (13.0s)" wait_for 10 screen_has_re op 'slow\(\)"\) +[^ ]+ 13\.0s'
keys op g j
check "the detail says the same time" wait_screen op 'pending for 13.0s'

# ---- stats: sorted, scrolled, and Enter goes to the slowest call ----
keys op s
check "stats sort by p95, descending, by default" wait_screen op 'P95v'
first_tool() { screen op | grep -A1 '^TOOL' | sed -n 2p | awk '{print $1}'; }
check "the slowest p95 first" [ "$(first_tool)" = web_search ]
keys op I
check "I inverts the order" wait_screen op 'P95^'
keys op I '<'
check "< sorts by the column before (P50)" wait_screen op 'P50v'
keys op '<' '<' '<' '<'
check "the tool name sorts ascending" wait_screen op 'TOOL^'
check "execute_python first by name" [ "$(first_tool)" = execute_python ]
keys op j Enter
check "Enter on a tool goes to its slowest call" wait_screen op 'the slowest read_file call: 12ms'
check "selected in the timeline" screen_has op 'read_file(path="/etc/hosts")'
keys op r
check "the run picker" wait_screen op 'choose run'
keys op k k k k Enter s
check "stats for all runs" wait_screen op 'STATS  all runs'
check "with every tool" screen_has op 'web_search'
keys op s r k k k k j Enter End
check "back on the newest run, automatically" wait_screen op 'run flow-7 auto'

# ---- copy (OSC 52 through tmux's set-clipboard buffer) ----
keys op g
check "the first call is selected" wait_screen op 'web_search(query='
keys op y
check "y says what it copied and how many bytes" wait_screen op 'copied args ('
buffer_has() { tm show-buffer 2>/dev/null | grep -qF -- "$1"; }
check "y: the call's args as JSON reach the clipboard" wait_for 10 buffer_has '"query": "RARO docs"'
keys op Y
check "Y: the raw payload, exactly as received" wait_for 10 buffer_has '"timestamp":"2026-01-08T12:30:45.000+02:00"}'
check "Y says so" wait_screen op 'copied raw payload ('

# ---- the payload as it arrived, and wrapping ----
keys op Enter
check "the detail's raw event keeps +02:00" wait_screen op '12:30:45.000+02:00'
check "the detail's args, read back from the payload kept on disk" screen_has op '"query": "RARO docs",'
check "long JSON wraps between tokens" screen_has_re op '^  \{"query":"RARO docs","n":5\},"message"'
keys op w
check "w: no wrapping, lines cut at the edge" wait_screen op 'w: wrap'
keys op Right Right Right Right
check "→ scrolls sideways" wait_for 10 not screen_has op '{"run_id":"flow-7"'
keys op Escape

# ---- save the view and read it back ----
keys op '&' 'web_search|slow' Enter
check "filtered to two items" wait_screen op '&web_search|slow'
keys op S
check "S offers livehud-RUN-YYYYmmdd-HHMMSS.jsonl" wait_for 10 screen_has_re op 'save to: livehud-flow-7-[0-9]{8}-[0-9]{6}\.jsonl'
keys op C-u "$T/saved.jsonl" Enter
check "S says how many events it wrote" wait_screen op "saved 3 events to $T/saved.jsonl"
check "each line the payload exactly as received" grep -qxF "$(sed -n 1p "$F")" "$T/saved.jsonl"
check "the result of a saved call comes with it, in order" [ "$(sed -n 2p "$T/saved.jsonl")" = "$(sed -n 2p "$F")" ] && [ "$(sed -n 3p "$T/saved.jsonl")" = "$(sed -n 3p "$F")" ]
keys op '&' Enter S C-u "$T/saved.jsonl" Enter
check "an existing file is not overwritten" wait_screen op 'saved.jsonl exists: not overwritten'
check "livehud --file reads a saved file back" sh -c "$LIVEHUD --file $T/saved.jsonl --plain | grep -q 'web_search(query=\"RARO docs\", n=5)'"
keys op q
check "q quits" wait_for 10 hud_exited op

# ---- trust: a paused view stays put; evictions are said where they were ----
if start_redis; then
	CH="test:op:$$"
	E() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" "$@" >/dev/null; }
	hud_start live 120 30 "$LIVEHUD --redis $REDIS_URL --channel $CH --max-events 5"
	wait_for 10 has_subscribers "$CH"
	E --run flow-8 --agent a --tool slow_tool --call-id k1 --args '{}'
	for i in 1 2 3 4 5; do E --run flow-8 --agent a --category THOUGHT --message "thought $i"; done
	check "a row at the top of the timeline says what was evicted" wait_screen live '1 older event evicted (--max-events)'
	E --run flow-8 --agent a --category TOOL_RESULT --tool slow_tool --call-id k1 --message "late result"
	check "a result whose call was evicted says so" wait_screen live '(call evicted) slow_tool: late r'
	check "and its detail too" screen_has live 'Pairing  its call was evicted'
	keys live k k
	check "paused" wait_screen live 'PAUSED'
	E --run flow-9 --agent b --category THOUGHT --message "in another run"
	check "paused: a new run does not switch the view, it is announced" wait_screen live 'new run flow-9 (r to switch)'
	check "the view stays on flow-8" screen_has live 'run flow-8 auto'
	keys live End
	check "following again, the view moves to the new run" wait_screen live 'in another run'
	keys live q
	check "the HUD says at exit what was evicted" wait_for 10 grep -q 'events evicted to stay under --max-events 5' "$T/live.err"
else
	echo "# redis-server did not start: the live part is skipped"
fi

# ---- the help fits the screen and scrolls ----
hud_start small 80 12 "$LIVEHUD --file $F"
check "a small screen" wait_screen small 'second match'
keys small '?'
check "the help says it scrolls when it does not fit" wait_screen small 'j/k: scroll'
keys small j Space Space Space Space Space Space Space Space
check "j scrolls it to its last keys" wait_screen small 'quit'
keys small x
check "any other key closes it" wait_for 10 not screen_has small 'livehud keys'
check "the header keeps its counts at 80 columns" screen_has_re small '[0-9]+ events +[0-9]+ evicted +[0-9]+ rejected'
tm resize-window -t small -x 40 -y 12
check "and at 40" wait_for 10 screen_has_re small '[0-9]+ ev [0-9]+ rej'
keys small '&' 'web' Enter
check "filters show abbreviated in a 40-column pane" wait_screen small '&web'
check "a cut line ends in an ellipsis" screen_has_re small 'web_search\([^ ]*…'
keys small q

# ---- payloads of a --file are read back from it, checked ----
cp "$F" "$T/changing.jsonl"
hud_start chg 120 40 "$LIVEHUD --file $T/changing.jsonl"
check "a file for the raw payloads" wait_screen chg 'second match'
keys chg g
check "its first call selected" wait_screen chg 'web_search(query='
keys chg Y
check "Y: its payload, read back from the file" wait_screen chg 'copied raw payload ('
sed 's/RARO docs/RARO DOCS/; s/flow-7/flow-8/' "$F" >"$T/changing.new"
cat "$T/changing.new" >"$T/changing.jsonl" # rewritten in place, same length
keys chg Y
check "once the file is rewritten, Y says the payload has changed" \
	wait_screen chg 'not available: its file has changed since'
keys chg Enter
check "the detail shows the event as parsed, and why" \
	wait_screen chg 'Raw event (as parsed: its file has changed since)'
check "from what was kept in memory (args and unknown fields were left to the file)" \
	screen_has chg '{"run_id":"flow-7","agent_id":"researcher","category":"TOOL_CALL","message":"web_search"'
keys chg Escape G y
check "the newest selected, y copies what memory holds" wait_screen chg 'copied message ('
: >"$T/changing.jsonl" # cut short: the newest payload is past its end
keys chg Y
check "a file cut short says the same for a payload past its end" \
	wait_screen chg 'not available: its file has changed since'
keys chg q

# ---- a big save: a slice a loop turn, the screen drawn meanwhile ----
$PY -c "
import json
for i in range(300000):
    print(json.dumps({'run_id': 'big', 'agent_id': 'a%d' % (i % 6), 'category': 'THOUGHT', 'message': 'thinking %d' % i}))
" >"$T/big.jsonl"
hud_start big 120 40 "$LIVEHUD --file $T/big.jsonl --max-events 300000"
check "300,000 events in" wait_for 60 screen_has big ' 300000 events'
keys big S C-u "$T/big-saved.jsonl" Enter
check "a big save says how far it has got as it goes" wait_for 60 screen_has_re big 'saving [0-9]+ of 300000 events'
check "and when it is done" wait_for 120 screen_has big "saved 300000 events to $T/big-saved.jsonl"
check "every event written" [ "$(wc -l <"$T/big-saved.jsonl")" = 300000 ]
check "the same as the file it came from" cmp -s "$T/big.jsonl" "$T/big-saved.jsonl"
# n and N over a view that did not change step the rank: no new count
keys big / 'thinking 2999' Enter
check "a search over 300,000 counts its matches" wait_for 30 screen_has big 'match 111/111'
tm pipe-pane -t big -o "cat >>'$T/count.raw'"
keys big n
check "n wraps to the first" wait_screen big 'match 1/111'
wait_for 10 grep -q '/111' "$T/count.raw"
tm pipe-pane -t big
check "saying which at once, without counting them again" not grep -q counting "$T/count.raw"
keys big N
check "N goes back to the last" wait_screen big 'match 111/111'
keys big q

# ---- TERM=dumb: plain output, and why ----
hud_start dumb 80 12 "env TERM=dumb $LIVEHUD --file $F"
check "TERM=dumb falls back to plain output" wait_screen dumb 'web_search(query="RARO docs", n=5)'
check "saying why on stderr" wait_for 10 grep -q 'TERM=dumb cannot move the cursor: plain output instead (--plain chooses it)' "$T/dumb.err"

done_testing
