#!/bin/sh
# make bench: livehud's numbers, measured against baselines in the same run.
#
# A private redis-server on loopback (pubsub output buffers unlimited, so
# Redis itself never cuts a subscriber that falls behind during a burst:
# what is measured is the bridge), then for each scenario: Redis delivering
# to a direct subscriber (the floor), `livehud bridge`, and, where npm can
# fetch ws and ioredis, a minimal Node bridge. Each bridge is started fresh
# per scenario so CPU and peak RSS are its own. Then the HUD scenarios.
# Ends with one table. Timings on shared machines are noisy: read ratios.
set -u
: "${LIVEHUD:?}" "${LHBENCH:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/livehud-bench.XXXXXX")
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; tmux -L lhbench$$ kill-server 2>/dev/null; rm -rf "$T"' EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { n=0; while ! "$@" 2>/dev/null; do n=$((n + 1)); [ $n -gt 500 ] && return 1; sleep 0.02; done; }
port_open() { python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$1"; }

RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save '' --appendonly no \
	--client-output-buffer-limit 'pubsub 0 0 0' >"$T/redis.log" 2>&1 &
REDIS_PID=$!
PIDS="$PIDS $!"
wait_for redis-cli -p "$RP" ping >/dev/null

NODE_DIR=""
if command -v node >/dev/null && command -v npm >/dev/null &&
	timeout 120 npm install --prefix "$T/node" --no-audit --no-fund ws@8 ioredis@5 >"$T/npm.log" 2>&1; then
	NODE_DIR="$T/node"
	cp "$(dirname "$0")/node-bridge.js" "$T/node/"
else
	echo "bench: npm could not fetch ws and ioredis; the Node baseline is skipped" >&2
fi

# start TARGET: a fresh server; sets SPID and WPORT.
start() {
	WPORT=$(free_port)
	case $1 in
	livehud) "$LIVEHUD" bridge --listen "127.0.0.1:$WPORT" --redis "redis://127.0.0.1:$RP" --channel bench \
			--history 1000 2>"$T/bridge.log" & ;;
	stream) "$LIVEHUD" bridge --listen "127.0.0.1:$WPORT" --redis "redis://127.0.0.1:$RP" --stream bench \
			--backlog 0 --history 1000 2>"$T/bridge.log" & ;;
	node) node "$NODE_DIR/node-bridge.js" "$WPORT" "$RP" bench 2>"$T/node.log" & ;;
	esac
	SPID=$!
	PIDS="$PIDS $SPID"
	wait_for port_open "$WPORT"
	if [ "$1" = stream ]; then
		wait_for curl -sf -o /dev/null "http://127.0.0.1:$WPORT/health"
	else
		wait_for sh -c "[ \$(redis-cli -p $RP PUBSUB NUMSUB bench | sed -n 2p) -ge 1 ]"
	fi
}
stop() { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; }

RESULTS="$T/results"
: >"$RESULTS"
# run NAME TARGET lhbench-args...: one measurement, one line in the results.
run() {
	name=$1 target=$2; shift 2
	prefix="s$(date +%s%N)"
	if [ "$target" = redis ]; then
		out=$("$LHBENCH" --redis-port "$RP" --channel bench --direct --prefix "$prefix" "$@")
	elif [ "$target" = xread ]; then
		out=$("$LHBENCH" --redis-port "$RP" --channel bench --stream bench --direct --prefix "$prefix" "$@")
	elif [ "$target" = stream ]; then
		start stream
		out=$("$LHBENCH" --redis-port "$RP" --channel bench --stream bench --ws-port "$WPORT" --pid "$SPID" \
			--prefix "$prefix" "$@")
		stop
	else
		start "$target"
		out=$("$LHBENCH" --redis-port "$RP" --channel bench --ws-port "$WPORT" --pid "$SPID" --prefix "$prefix" "$@")
		stop
	fi
	echo "$name|$target|$out" >>"$RESULTS"
	printf '%-28s %-8s %s\n' "$name" "$target" "$out" >&2
}

scenario() {
	name=$1; shift
	run "$name" redis "$@"
	run "$name" livehud "$@"
	[ -n "$NODE_DIR" ] && run "$name" node "$@"
}

scenario "1 client, max rate"       --count 200000
scenario "1 client, 10k/s"          --rate 10000 --seconds 5
scenario "100 clients/10 runs, 2k/s" --clients 100 --runs 10 --rate 2000 --seconds 5
scenario "1000 clients, 200/s"      --clients 1000 --rate 200 --seconds 5
scenario "4 KB events, 5k/s"        --size 4096 --rate 5000 --seconds 5
# The durable path: the producer XADDs to a stream (MAXLEN ~ 100000) and
# the bridge reads it with --stream; "xread" is a bare XREAD BLOCK reader.
for target in xread stream; do
	run "1 client, max rate" "$target" --count 200000
	run "1 client, 10k/s" "$target" --rate 10000 --seconds 5
done

# ---- the HUD ----
HUD_RESULTS="$T/hud"
: >"$HUD_RESULTS"
TM="tmux -L lhbench$$ -f /dev/null"
# ---- the 1M-event file, beside lnav and jq ----
# lhbench --jsonl writes the same traffic as the live scenarios (six agents,
# overlapping calls with args and call_id, errors, reasoning), about 250
# bytes an event. lnav reads it with tests/bench/livehud_log.json, a format
# for the same fields; it is installed here when missing (root, Debian).
BIG="$T/big.jsonl"
"$LHBENCH" --jsonl --count 1000000 --prefix big >"$BIG"
LAST="notes/124999.md\." # the last event's message
if ! command -v lnav >/dev/null && [ "$(id -u)" -eq 0 ]; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends lnav >"$T/apt.log" 2>&1 ||
		echo "bench: apt-get could not install lnav" >&2
fi
LNAV=""
if command -v lnav >/dev/null; then
	mkdir -p "$T/lnav-home"
	if HOME="$T/lnav-home" lnav -i "$(dirname "$0")/livehud_log.json" >"$T/lnav-install.log" 2>&1; then
		LNAV="env HOME=$T/lnav-home lnav"
	else
		echo "bench: lnav refused tests/bench/livehud_log.json; the lnav comparison is skipped" >&2
	fi
else
	echo "bench: lnav is not installed (not root?); the lnav comparison is skipped" >&2
fi
wait_for_long() { n=0; while ! "$@" 2>/dev/null; do n=$((n + 1)); [ $n -gt 3000 ] && return 1; sleep 0.02; done; }
# drawn CMD TEXT PGREP: "MS RSS_KB": ms from starting CMD in a 120x40 tmux
# window until TEXT is on screen, and the peak RSS of the oldest process
# pgrep PGREP finds; leaves the session "big" open.
drawn() {
	$TM new-session -d -s big -x 120 -y 40 "$1; sleep 1000"
	t0=$(date +%s%N)
	wait_for_long sh -c "$TM capture-pane -p -t big | grep -q '$2'"
	t1=$(date +%s%N)
	pid=$(pgrep -o $3)
	echo "$(( (t1 - t0) / 1000000 )) $(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")"
}
# best N CMD...: the shortest of N runs of CMD, in ms (output discarded).
best() {
	runs=$1 b=""; shift
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000000 )); [ -z "$b" ] || [ "$ms" -lt "$b" ] && b=$ms
	done
	echo "$b"
}
HUD_CMD="env LC_ALL=C.UTF-8 $LIVEHUD --config /dev/null --file $BIG --max-events 1000000"
lnav_ms="" lnav_rss=""
for i in 1 2; do # the better of two for each, alternated
	if [ -n "$LNAV" ]; then
		set -- $(drawn "env LC_ALL=C.UTF-8 $LNAV $BIG" "$LAST" "-x lnav")
		[ -z "$lnav_ms" ] || [ "$1" -lt "$lnav_ms" ] && lnav_ms=$1 lnav_rss=$2
		$TM kill-session -t big
	fi
	set -- $(drawn "$HUD_CMD" "1000000 events" "-f ^$LIVEHUD.--config./dev/null.--file")
	[ -z "${hud_ms:-}" ] || [ "$1" -lt "$hud_ms" ] && hud_ms=$1 hud_rss=$2
	[ $i = 2 ] || $TM kill-session -t big
done
echo "1M-event file in a 120x40 HUD|$hud_ms ms to all in the store and on screen; peak RSS $((hud_rss / 1024)) MB = $((hud_rss * 1024 / 1000000)) bytes per retained event" >>"$HUD_RESULTS"
[ -n "$lnav_ms" ] && echo "The same file in lnav 120x40|$lnav_ms ms to the last line on screen; peak RSS $((lnav_rss / 1024)) MB = $((lnav_rss * 1024 / 1000000)) bytes per line" >>"$HUD_RESULTS"
# Search and & over the million: the HUD is still open from the last run.
# "ms to ..." is from Enter to the answer on screen (tmux reads it, polled
# every 5 ms). What that reading costs by itself is measured the same way
# in the same HUD: a key that does no work (? opens the help).
# on_screen TEXT [SESSION], off_screen TEXT [SESSION]: poll every 5 ms.
on_screen() { n=0; while ! $TM capture-pane -p -t "${2:-big}" | grep -qF -- "$1"; do
	n=$((n + 1)); [ $n -gt 12000 ] && return 1; sleep 0.005; done; }
off_screen() { n=0; while $TM capture-pane -p -t "${2:-big}" | grep -qF -- "$1"; do
	n=$((n + 1)); [ $n -gt 12000 ] && return 1; sleep 0.005; done; }
# key_ms ANSWER KEY TEXT: types KEY then TEXT, and once TEXT shows in the
# prompt, Enter: ms until ANSWER (a fixed string) is on screen.
key_ms() {
	$TM send-keys -t big "$2" "$3"
	on_screen "$3"
	s0=$(date +%s%N)
	$TM send-keys -t big Enter
	on_screen "$1"
	s1=$(date +%s%N)
	echo $(( (s1 - s0) / 1000000 ))
}
# help_ms SESSION: ms from ? to the help on screen (a key that does no
# work), then closes it.
help_ms() {
	s0=$(date +%s%N)
	$TM send-keys -t "$1" '?'
	on_screen 'livehud keys' "$1"
	s1=$(date +%s%N)
	$TM send-keys -t "$1" x
	off_screen 'livehud keys' "$1"
	echo $(( (s1 - s0) / 1000000 ))
}
# median of three of help_ms SESSION
help_median() { echo "$(help_ms "$1") $(help_ms "$1") $(help_ms "$1")" | tr ' ' '\n' | sort -n | sed -n 2p; }
floor=$(help_median big)
# From the first item: the next match is about 100 items on, then half
# the file on (the answer is the detail pane's args of the match).
$TM send-keys -t big g
near=$(key_ms 'tracing 20"' / 'tracing 20[^0-9]')
c0=$(date +%s%N)
wait_for_long sh -c "$TM capture-pane -p -t big | grep -qF 'match 1/1'"
counted=$(( ($(date +%s%N) - c0) / 1000000 + near ))
far=$(key_ms 'tracing 62500"' / 'tracing 62500[^0-9]')
none=$(key_ms 'pattern not found' / zzznomatch)
echo "Search over the 1M-event file|next match $near ms about 100 items away, $far ms half the file away, $none ms to say there is none; all matches counted ($counted ms) on the loop after the first is shown; a key that does no work, through the same tmux: $floor ms" >>"$HUD_RESULTS"
grep_ms=$(key_ms 'items match' '&' KeyError)
echo "& over the 1M-event file|$grep_ms ms to show only the items with errors" >>"$HUD_RESULTS"
$TM kill-session -t big
plain_ms=$(best 3 "$LIVEHUD" --config /dev/null --file "$BIG" --plain)
echo "--plain over the 1M-event file|$plain_ms ms (best of 3)" >>"$HUD_RESULTS"
if [ -n "$LNAV" ]; then
	lnav_n_ms=$(best 3 $LNAV -n -c ';SELECT count(*) FROM livehud_log' "$BIG")
	echo "lnav -n over the same file|$lnav_n_ms ms (best of 3; SELECT count(*))" >>"$HUD_RESULTS"
fi
if command -v jq >/dev/null; then
	jq_ms=$(best 1 jq -r '[.timestamp, .agent_id, .category, .message] | join(" ")' "$BIG")
	echo "jq over the same file|$jq_ms ms (one line per event)" >>"$HUD_RESULTS"
fi

# Idle: nothing arriving for 10 s.
$TM new-session -d -s idle -x 120 -y 40 "env LC_ALL=C.UTF-8 $LIVEHUD --config /dev/null --redis redis://127.0.0.1:$RP --channel idle"
wait_for sh -c "[ \$(redis-cli -p $RP PUBSUB NUMSUB idle | sed -n 2p) -ge 1 ]"
IPID=$(pgrep -n -f -- "--channel idle")
sleep 2 # let the first second's rate figure settle (a bench window, not a wait)
c0=$(awk '{print $14 + $15}' "/proc/$IPID/stat"); w0=$(awk '/^voluntary_ctxt/ {print $2}' "/proc/$IPID/status")
sleep 10
c1=$(awk '{print $14 + $15}' "/proc/$IPID/stat"); w1=$(awk '/^voluntary_ctxt/ {print $2}' "/proc/$IPID/status")
echo "HUD idle 10 s|$((c1 - c0)) CPU ticks, $((w1 - w0)) wake-ups (a PING to Redis after each 5 s of silence, --redis-timeout)" >>"$HUD_RESULTS"
$TM new-session -d -s idle0 -x 120 -y 40 "env LC_ALL=C.UTF-8 $LIVEHUD --config /dev/null --redis redis://127.0.0.1:$RP --channel idle0 --redis-timeout 0"
wait_for sh -c "[ \$(redis-cli -p $RP PUBSUB NUMSUB idle0 | sed -n 2p) -ge 1 ]"
IPID0=$(pgrep -n -f -- "--channel idle0")
sleep 2 # as above
w0=$(awk '/^voluntary_ctxt/ {print $2}' "/proc/$IPID0/status")
sleep 10
w1=$(awk '/^voluntary_ctxt/ {print $2}' "/proc/$IPID0/status")
echo "HUD idle 10 s, --redis-timeout 0|$((w1 - w0)) wake-ups" >>"$HUD_RESULTS"
$TM kill-session -t idle0

# 100 events/s for 30 s: what an SSH link carries, at 120x40 (the idle
# HUD's window) and in an 80x24 one.
$TM new-session -d -s small -x 80 -y 24 "env LC_ALL=C.UTF-8 $LIVEHUD --config /dev/null --redis redis://127.0.0.1:$RP --channel idle"
wait_for sh -c "[ \$(redis-cli -p $RP PUBSUB NUMSUB idle | sed -n 2p) -ge 2 ]"
$TM pipe-pane -o -t idle "cat >>$T/tty.bytes"
$TM pipe-pane -o -t small "cat >>$T/tty-small.bytes"
"$LHBENCH" --redis-port "$RP" --channel idle --direct --rate 100 --seconds 30 --prefix tty >/dev/null 2>&1 &
# (the direct subscriber only paces the publisher; the HUDs are the other subscribers)
wait $!
bytes=$(wc -c <"$T/tty.bytes")
echo "HUD at 100 events/s for 30 s|$((bytes / 30)) bytes/s written to the terminal" >>"$HUD_RESULTS"
bytes=$(wc -c <"$T/tty-small.bytes")
echo "HUD at 100 events/s for 30 s, 80x24|$((bytes / 30)) bytes/s written to the terminal" >>"$HUD_RESULTS"
$TM kill-session -t small

# 50,000 events/s from Redis for 10 s: nothing may be lost in the store,
# and a key must still be answered.
$TM new-session -d -s flood -x 120 -y 40 "env LC_ALL=C.UTF-8 $LIVEHUD --config /dev/null --redis redis://127.0.0.1:$RP --channel flood --max-events 1000000"
wait_for sh -c "[ \$(redis-cli -p $RP PUBSUB NUMSUB flood | sed -n 2p) -ge 1 ]"
wait_for sh -c "$TM capture-pane -p -t flood | grep -q ' 0 events'"
idle_lat=$(help_median flood)
# The flood's producer and Redis run at the lowest priority: on two cores
# they would otherwise starve tmux and the bench reading the screen (the
# HUD itself drew the help within 2 ms of each key in an instrumented run),
# and the figure would be theirs. They are the last to use Redis.
renice -n 19 -p "$REDIS_PID" >/dev/null 2>&1
f0=$(date +%s%N)
nice -n 19 "$LHBENCH" --redis-port "$RP" --channel flood --direct --rate 50000 --seconds 10 --prefix flood >/dev/null 2>&1 &
FLOOD=$!
sleep 3 # into the flood (a bench window, not a wait)
# Three key presses during the flood (the help opening, then closing),
# against the same before it.
lat=$(help_median flood)
wait $FLOOD
flood_ms=$(( ($(date +%s%N) - f0) / 1000000 ))
wait_for_long sh -c "$TM capture-pane -p -t flood | grep -q ' 500000 events'"
seen=$($TM capture-pane -p -t flood | grep -o '[0-9]* events' | head -n 1)
echo "HUD at 50,000 events/s for 10 s|$seen of 500000 in the store; a key answered in $lat ms during the flood, $idle_lat ms before it (medians of 3, screen read through tmux; the flood's producer and Redis niced, the flood took $flood_ms ms)" >>"$HUD_RESULTS"
$TM kill-session -t flood

# ---- the table ----
echo
echo "livehud bench: $(nproc) cores, $(uname -sr), $(date -u +%Y-%m-%dT%H:%MZ)"
echo
printf '| %-26s | %-7s | %-15s | %-9s | %-7s | %-7s | %-8s | %-8s | %-6s | %-7s |\n' scenario server delivered throughput p50 p99 p99.9 max cpu_s rss_MB
printf '|%s|\n' "----------------------------|---------|-----------------|-----------|---------|---------|----------|----------|--------|---------"
while IFS='|' read -r name target out; do
	get() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
	us() { v=$(get "$1"); awk -v v="$v" 'BEGIN { if (v >= 1000) printf "%.1fms", v / 1000; else printf "%dus", v }'; }
	rss=$(get peak_rss_kb); cpu=$(get cpu_s)
	printf '| %-26s | %-7s | %-15s | %-9s | %-7s | %-7s | %-8s | %-8s | %-6s | %-7s |\n' "$name" "$target" \
		"$(get delivered)/$(get expected)" "$(get throughput)/s" "$(us p50_us)" "$(us p99_us)" "$(us p999_us)" \
		"$(us max_us)" "${cpu:--}" "$([ -n "$rss" ] && echo $((rss / 1024)) || echo -)"
done <"$RESULTS"
echo
while IFS='|' read -r name what; do echo "- $name: $what"; done <"$HUD_RESULTS"

# ---- issue 6's targets, judged from this run ----
# val SCENARIO SERVER KEY: one figure from the results.
val() { awk -F'|' -v s="$1" -v t="$2" '$1 == s && $2 == t { print $3 }' "$RESULTS" | tr ' ' '\n' | sed -n "s/^$3=//p"; }
hud() { awk -F'|' -v n="$1" '$1 == n { print $2 }' "$HUD_RESULTS"; }
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; }
echo
echo "Targets (issues 6, 14 and 15), from this run:"
m=$(val "1 client, max rate" livehud throughput) n=$(val "1 client, max rate" node throughput)
lost=$(val "1 client, max rate" livehud lost)
if [ -n "$n" ]; then
	ratio=$(awk -v a="$m" -v b="$n" 'BEGIN { printf "%.1f", a / b }')
	echo "- 1 client, max rate: ${m}/s, ${ratio}x the Node bridge, ${lost} lost (>= 200000/s, >= 4x, none): $(verdict "$m >= 200000 && $ratio >= 4 && $lost == 0")"
else
	echo "- 1 client, max rate: ${m}/s, ${lost} lost (>= 200000/s, none): $(verdict "$m >= 200000 && $lost == 0"); no Node baseline to judge the 4x"
fi
l99=$(val "1 client, 10k/s" livehud p99_us) r99=$(val "1 client, 10k/s" redis p99_us)
echo "- 1 client, 10k/s: p99 $((l99 - r99)) us above Redis's (<= 300 us): $(verdict "$l99 - $r99 <= 300")"
lc=$(val "1 client, 10k/s" livehud cpu_s) rc=$(val "1 client, 10k/s" redis cpu_s)
echo "- 1 client, 10k/s: $lc CPU-s, $(awk -v a="$lc" -v b="$rc" 'BEGIN { printf "%.1f", a / b }')x what the direct subscriber spent receiving (<= 0.3 CPU-s): $(verdict "$lc <= 0.3")"
t=$(val "1000 clients, 200/s" livehud throughput) lost=$(val "1000 clients, 200/s" livehud lost)
p=$(val "1000 clients, 200/s" livehud p99_us) rss=$(val "1000 clients, 200/s" livehud peak_rss_kb)
echo "- 1000 clients: ${t} frames/s, ${lost} lost, p99 $((p / 1000)) ms, $((rss / 1024)) MB (>= 195000, none, < 50 ms, <= 20 MB): $(verdict "$t >= 195000 && $lost == 0 && $p < 50000 && $rss <= 20480")"
t=$(val "1 client, max rate" stream throughput) m=$(val "1 client, max rate" livehud throughput)
lost=$(val "1 client, max rate" stream lost)
ratio=$(awk -v a="$t" -v b="$m" 'BEGIN { printf "%.2f", a / b }')
floor=$(awk -v a="$t" -v b="$(val "1 client, max rate" xread throughput)" 'BEGIN { printf "%.2f", a / b }')
echo "- stream path, 1 client, max rate: ${t}/s, ${ratio}x the Pub/Sub path (${floor}x a bare XREAD reader), ${lost} lost (>= 0.6x, none): $(verdict "$ratio >= 0.6 && $lost == 0")"
s99=$(val "1 client, 10k/s" stream p99_us) l99=$(val "1 client, 10k/s" livehud p99_us)
echo "- stream path, 1 client, 10k/s: p99 $s99 us, the Pub/Sub path's $l99 us (at most 1000 us more): $(verdict "$s99 - $l99 <= 1000")"
num() { hud "$1" | sed -n "s/$2/\1/p"; }
ms=$(num "1M-event file in a 120x40 HUD" '^\([0-9]*\) ms.*')
bpe=$(num "1M-event file in a 120x40 HUD" '.*= \([0-9]*\) bytes per.*')
lms=$(num "The same file in lnav 120x40" '^\([0-9]*\) ms.*')
lbpe=$(num "The same file in lnav 120x40" '.*= \([0-9]*\) bytes per.*')
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
if [ -n "$lms" ]; then
	echo "- HUD, 1M-event file all in and drawn: $ms ms, $(ratio "$ms" "$lms")x lnav's $lms ms (<= 0.7x, issue 14): $(verdict "$ms <= 0.7 * $lms")"
	p=$(num "--plain over the 1M-event file" '^\([0-9]*\) ms.*') ln=$(num "lnav -n over the same file" '^\([0-9]*\) ms.*')
	echo "- --plain over the file: $p ms, $(ratio "$p" "$ln")x lnav -n's $ln ms (<= 0.7x, issue 14): $(verdict "$p <= 0.7 * $ln")"
else
	echo "- HUD, 1M-event file: $ms ms; no lnav to judge against (issue 14's 0.7x)"
fi
echo "- HUD memory: $bpe bytes per retained event${lbpe:+ (lnav: $lbpe per line)} (<= 200, issue 14): $(verdict "${bpe:-9999} <= 200")"
near=$(num "Search over the 1M-event file" '^next match \([0-9]*\) ms.*')
far=$(num "Search over the 1M-event file" '.*, \([0-9]*\) ms half.*')
none=$(num "Search over the 1M-event file" '.*, \([0-9]*\) ms to say.*')
kf=$(num "Search over the 1M-event file" '.*same tmux: \([0-9]*\) ms.*')
echo "- search over 1M: next match in $near ms near, $far ms half the file away, none in $none ms, through tmux; less its $kf ms for a key that does no work: $((far - kf)) ms half the file away (< 100 ms, issue 14): $(verdict "${near:-9999} - ${kf:-0} < 100 && ${far:-9999} - ${kf:-0} < 100")"
g=$(num "& over the 1M-event file" '^\([0-9]*\) ms.*')
echo "- & over 1M: $g ms (< 300 ms, issue 14): $(verdict "${g:-9999} < 300")"
seen=$(hud "HUD at 50,000 events/s for 10 s" | sed -n 's/^\([0-9]*\) events.*/\1/p')
during=$(hud "HUD at 50,000 events/s for 10 s" | sed -n 's/.*answered in \([0-9]*\) ms during.*/\1/p')
before=$(hud "HUD at 50,000 events/s for 10 s" | sed -n 's/.*, \([0-9]*\) ms before it.*/\1/p')
fms=$(hud "HUD at 50,000 events/s for 10 s" | sed -n 's/.*the flood took \([0-9]*\) ms.*/\1/p')
echo "- HUD at 50k/s: ${seen:-?} of 500000 kept in ${fms:-?} ms (all, in at most 11 s): $(verdict "${seen:-0} == 500000 && ${fms:-99999} <= 11000"); a key in ${during:-?} ms through tmux, ${before:-?} ms before the flood: the flood adds $((${during:-9999} - ${before:-0})) ms (< 50 ms, issue 14): $(verdict "${during:-9999} - ${before:-0} < 50")"
bps=$(hud "HUD at 100 events/s for 30 s" | sed -n 's/^\([0-9]*\) bytes.*/\1/p')
echo "- HUD at 100 events/s, 120x40: $bps bytes/s to the terminal (<= 20000, issue 14): $(verdict "${bps:-99999} <= 20000")"
bps=$(hud "HUD at 100 events/s for 30 s, 80x24" | sed -n 's/^\([0-9]*\) bytes.*/\1/p')
echo "- HUD at 100 events/s, 80x24: $bps bytes/s to the terminal (<= 12000, issue 14): $(verdict "${bps:-99999} <= 12000")"
ticks=$(hud "HUD idle 10 s" | sed -n 's/^\([0-9]*\) CPU.*/\1/p')
echo "- HUD idle: $ticks CPU ticks in 10 s (none): $(verdict "${ticks:-1} == 0")"
