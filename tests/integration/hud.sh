#!/bin/sh
# The HUD, the real binary under tmux at fixed sizes, fed by the demo and by
# emit into a test redis-server; the screen read back as a person sees it.
. "$TESTS_SRCDIR/lib.sh"
trap 'hud_cleanup; cleanup' EXIT
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

CH="test:hud:$$"
E() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH" --run flow-1 "$@" >/dev/null; }
HUD="$LIVEHUD --redis $REDIS_URL --channel $CH"

# ---- 120x40: agents, timeline and detail side by side ----
hud_start wide 120 40 "$HUD"
check "the header shows the source and that it is live" wait_screen wide "live"
check "the header names the channel" screen_has wide "$CH"
wait_for 10 has_subscribers "$CH"
E --agent researcher --tool web_search --args '{"query": "RARO docs"}'
check "a call appears with its tool and args" wait_screen wide 'web_search(query="RARO docs")'
E --agent researcher --category TOOL_RESULT --tool web_search --message "Found 12 citations" --duration-ms 450
check "its duration and a check mark at the right" wait_for 10 screen_has_re wide 'web_search\(query="RARO docs"\) +450ms ✓'
check "the result on a ↳ line under it" screen_has wide '↳ Found 12 citations'
check "the agents panel lists the agent" screen_has wide 'RESEARCHER'
check "with its counts" screen_has wide '1 calls 0 err 0 pend'
check "the detail pane is beside the timeline" screen_has wide 'DETAIL'
check "showing the selected call's args as JSON" screen_has wide '"query": "RARO docs"'

E --agent coder --tool execute_python --args '{"code": "slow()"}'
check "a pending call shows a spinner and a timer" wait_for 10 screen_has_re wide 'execute_python\(code="slow\(\)"\) +[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] [0-9]'
t1=$(screen wide | grep -o 'slow()") *[^ ]* [0-9.]*[ms]*' | head -n 1)
timer_moved() { t2=$(screen wide | grep -o 'slow()") *[^ ]* [0-9.]*[ms]*' | head -n 1); [ -n "$t2" ] && [ "$t2" != "$t1" ]; }
check "the timer ticks" wait_for 10 timer_moved
check "the agent is shown working" screen_has wide '● CODER'

E --agent coder --category TOOL_RESULT --tool execute_python --meta IO_ERR --message "ZeroDivisionError: boom" --duration-ms 1200
check "an IO_ERR result is marked ✗" wait_for 10 screen_has_re wide 'slow\(\)"\) +1\.20s ✗'
check "and its error shown under it" screen_has wide '↳ ZeroDivisionError: boom'
E --agent writer --category THOUGHT --message "Thinking about 漢字 and émoji 🙂 width"
check "wide characters keep the columns" wait_screen wide '漢字'
E --agent writer --category TOOL_RESULT --tool write_file --message "orphan result" --duration-ms 7
check "an orphan result is marked" wait_for 10 screen_has wide '↳ (no call) write_file: orphan'
E --agent evil --category THOUGHT --message "$(printf 'clear \033[2J\033]0;pwned\007 done')"
check "escape sequences show as text, not commands" wait_screen wide 'clear ^[[2J^[]0;pwned^G done'

# Filters, search, detail, stats, help.
keys wide e
check "e: errors only, said in the filter line" wait_screen wide 'errors only'
check "the failed call is left" screen_has wide 'ZeroDivisionError'
check "the good one is gone" not screen_has wide 'RARO docs'
keys wide Escape
check "Esc clears the filter" wait_screen wide 'RARO docs'
keys wide / 'citation' Enter
check "/ search shows the pattern" wait_screen wide '/citation/'
check "and leaves follow mode, saying so" screen_has wide 'PAUSED'
keys wide Escape End
check "End returns to follow mode" wait_screen wide 'FOLLOW'
keys wide k k Enter
check "Enter opens the detail view" wait_screen wide 'DETAIL  (Esc: back'
check "with the raw event" screen_has wide 'Raw event'
keys wide Escape s
check "s shows stats per tool" wait_screen wide 'TOOL'
check "with percentiles" screen_has wide 'P95'
check "and per agent" screen_has wide 'TOOL TIME'
keys wide s '?'
check "? opens the help" wait_screen wide 'livehud keys'
keys wide x
check "any key closes it" wait_for 10 not screen_has wide 'livehud keys'
keys wide a
check "a opens the agent picker" wait_screen wide 'choose agent'
keys wide j Enter
check "choosing an agent filters to it" wait_screen wide 'agent researcher'
keys wide Escape t
check "t switches the theme" wait_screen wide 'theme light'

# Resize: the layout changes at once.
tm resize-window -t wide -x 50 -y 20
check "shrunk to 50 columns, the agents panel goes" wait_for 10 not screen_has wide 'AGENTS'
check "and agents are named inline" screen_has wide 'WRITER'

keys wide q
check "q quits" wait_for 10 hud_exited wide
check "with status 0" [ "$(exit_status wide)" = 0 ]
check "and the terminal is restored (normal screen)" [ "$(pane wide '#{alternate_on}')" = 0 ]

# ---- the mouse (X10 reports, as a terminal sends them, typed into the pane) ----
hud_start mouse 120 30 "$LIVEHUD --redis $REDIS_URL --channel $CH:mouse"
wait_for 10 has_subscribers "$CH:mouse"
EM() { "$LIVEHUD" emit --redis "$REDIS_URL" --channel "$CH:mouse" --run flow-m "$@" >/dev/null; }
EM --agent other --tool tool_zero --args '{"n": 0}'
EM --agent clicker --tool tool_one --args '{"n": 1}'
EM --agent clicker --tool tool_two --args '{"n": 2}'
wait_screen mouse 'tool_two('
# mouse NAME BUTTON X Y: BUTTON (0 left, 3 release, 64 wheel up) at cell X,Y (from 0).
mouse() { tm send-keys -t "$1" -l "$(printf "\033[M\\$(printf %o $((32 + $2)))\\$(printf %o $((33 + $3)))\\$(printf %o $((33 + $4)))")"; }
click() { mouse "$1" 0 "$2" "$3"; mouse "$1" 3 "$2" "$3"; }
check "following, the newest call is in the detail" screen_has mouse 'Tool     tool_two'
mouse mouse 64 50 10
check "the wheel scrolls back, leaving follow mode" wait_screen mouse 'PAUSED'
keys mouse End
wait_screen mouse 'FOLLOW'
row=$(screen mouse | grep -n 'tool_one(' | head -n 1 | cut -d: -f1)
col=$(screen mouse | grep 'tool_one(' | head -n 1 | awk '{ print index($0, "tool_one(") }')
click mouse "$col" $((row - 1))
check "a click selects the call under it" wait_screen mouse 'Tool     tool_one'
check "and pauses there" screen_has mouse 'PAUSED'
row2=$(screen mouse | grep -n 'tool_two(' | head -n 1 | cut -d: -f1)
click mouse 100 $((row2 - 1))
click mouse "$col" 0
# then a key, so both clicks have been handled when its effect shows
keys mouse '?'
wait_screen mouse 'livehud keys'
keys mouse x
wait_for 10 not screen_has mouse 'livehud keys'
check "a click beside the timeline, on the detail or the header, selects nothing" \
	screen_has mouse 'Tool     tool_one'
arow=$(screen mouse | grep -n '^. CLICKER' | head -n 1 | cut -d: -f1)
click mouse 3 $((arow - 1))
check "a click on an agent shows only its events" wait_screen mouse 'agent clicker'
check "the other agent's calls are gone" not screen_has mouse 'tool_zero('
click mouse 3 $((arow - 1))
check "a second click shows everyone's again" wait_for 10 screen_has mouse 'tool_zero('
check "and the filter is gone" not screen_has mouse 'agent clicker'
keys mouse q
wait_for 10 hud_exited mouse

# ---- idle: nothing pending, nothing arriving, no wake-ups ----
hud_start idle 100 30 "$LIVEHUD --redis $REDIS_URL --channel $CH:idle"
wait_for 10 has_subscribers "$CH:idle"
wait_screen idle 'waiting for events'
IDLE_PID=$(pgrep -f -n -- "--channel $CH:idle")
wait_quiet() { w0=$(wakeups "$IDLE_PID"); sleep 1.5; w1=$(wakeups "$IDLE_PID"); [ $((w1 - w0)) -le 1 ]; }
# The first second still has an events-per-second figure to bring to 0;
# after that the HUD must sleep. (The sleep is a measurement window.)
check "an idle HUD does not wake up" wait_for 10 wait_quiet
keys idle q

# ---- 80x24: agents and timeline, no detail pane ----
hud_start mid 80 24 "$LIVEHUD --demo --seed 5 --speed 20"
check "80x24: the agents panel is there" wait_screen mid 'AGENTS'
check "80x24: no detail pane" not screen_has mid 'DETAIL'
check "the demo shows completed calls" wait_for 10 screen_has_re mid '(ms|s) ✓'
check "with result lines" screen_has mid '↳'
keys mid Enter
check "Enter opens the detail" wait_screen mid 'DETAIL  (Esc: back'
keys mid Escape
keys mid r
check "r lists the runs" wait_screen mid 'choose run'
check "with the automatic choice" screen_has mid 'newest run, automatically'
keys mid Escape
check "no line is longer than the screen" fits_in mid 80
tm send-keys -t mid C-c
check "SIGINT quits cleanly too" wait_for 10 hud_exited mid
check "with status 0" [ "$(exit_status mid)" = 0 ]
check "and the normal screen back" [ "$(pane mid '#{alternate_on}')" = 0 ]

# ---- 40x20 (a tmux side pane) and 30x10 ----
hud_start narrow 40 20 "$LIVEHUD --demo --seed 5 --speed 20"
check "40x20: calls are shown" wait_for 10 screen_has_re narrow '(ms|s) ✓'
check "40x20: one column, no agents panel" not screen_has narrow 'AGENTS'
check "40x20: no column separators" not screen_has narrow '│'
check "40x20: agent names inline" screen_has_re narrow '[0-9:]{8} (RESEARCHER|CODER|ANALYST|WRITER) '
check "40x20: no line wider than the pane" fits_in narrow 40
hud_start tiny 30 10 "$LIVEHUD --demo --seed 5 --speed 20"
check "30x10: the header is there" wait_screen tiny 'livehud'
check "30x10: events are shown" wait_for 10 screen_has_re tiny '[0-9:]{8} '
check "30x10: nothing runs past the edge" fits_in tiny 30
footer_last() { screen tiny | tail -n 1 | grep -q '^q quit'; }
check "30x10: the footer is on the last line" footer_last

# ---- ASCII and monochrome ----
hud_start plainterm 80 24 "$LIVEHUD --demo --seed 5 --speed 20 --ascii --no-color"
check "--ascii uses ASCII marks" wait_for 10 screen_has_re plainterm '(ms|s) ok'
all_ascii() { ! screen plainterm | LC_ALL=C grep -q '[^ -~]'; }
check "--ascii draws no UTF-8" all_ascii
no_color_codes() { ! tm capture-pane -e -p -t plainterm | grep -qE '\[[0-9;]*3[0-7]m|38;5;'; }
check "--no-color sends no color codes" no_color_codes

done_testing
