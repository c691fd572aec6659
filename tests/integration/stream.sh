#!/bin/sh
# Redis Streams (--stream): emit appends (and publishes, atomically), a
# reader starts with the backlog and resumes where it left off after a
# killed connection and after Redis restarts from its AOF, and three bridges
# behind haproxy agree on the numbers, so clients whose bridge is SIGKILLed
# twice mid-stream, and then Redis restarted from its AOF, end with every
# event exactly once and no gap.
. "$TESTS_SRCDIR/lib.sh"
start_redis --appendonly yes --appendfsync always || { echo "1..0 # SKIP redis-server did not start"; exit 0; }

KEY="test:stream:$$"
CH="test:live:$$"

xlen() { [ "$(rcli XLEN "$KEY")" -ge "$1" ]; }

# ---- emit --stream ----
rcli SUBSCRIBE "$CH" >"$T/sub.out" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 has_subscribers "$CH"
"$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" --channel "$CH" --run flow-0 --agent coder \
	--tool read_file --args '{"path": "a.txt"}' >"$T/emit1" 2>&1
check "emit --stream --channel exits 0" [ $? -eq 0 ]
check "it says it appended and published" \
	contains "$T/emit1" "appended to stream $KEY, published to 1 subscriber"
check "the entry holds the payload as published, in the field data" wait_for 10 python3 - "$T/sub.out" "$REDIS_PORT" "$KEY" <<'PY'
import subprocess, sys
pub = next(l for l in open(sys.argv[1]).read().splitlines() if l.startswith('{'))
out = subprocess.run(['redis-cli', '-p', sys.argv[2], 'XRANGE', sys.argv[3], '-', '+'],
                     capture_output=True, text=True).stdout.splitlines()
assert out[1] == 'data' and out[2] == pub, out
PY
"$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" --maxlen 3 --run flow-0 --message m >"$T/emit2" 2>&1
check "--stream alone appends without publishing" contains "$T/emit2" "appended to stream $KEY"
check "and says nothing of subscribers" not contains "$T/emit2" "published"
events 1 10 flow-0 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" --maxlen 3 >"$T/emit3"
check "JSONL is appended with the count said" contains "$T/emit3" "appended 10 events to stream $KEY"
check "--maxlen trims the stream to about N" [ "$(rcli XLEN "$KEY")" -le 120 ]
rcli DEL "$KEY" >/dev/null

"$LIVEHUD" emit --redis "$REDIS_URL" --stream 'x' --run r --message m --channel 'raro:*' >/dev/null 2>"$T/pat.err"
check "a pattern channel is refused with --stream too" [ $? -eq 2 ]
"$LIVEHUD" --plain --stream "$KEY" --channel "$CH" >/dev/null 2>"$T/both.err"
check "a reader refuses --stream and --channel together (exit 2)" [ $? -eq 2 ]
check "and says why" contains "$T/both.err" "livehud: a reader reads --stream or --channel, not both"
"$LIVEHUD" --plain --backlog 3 >/dev/null 2>"$T/bl.err"
check "--backlog without --stream is refused" [ $? -eq 2 ]

# ---- the backlog, then live ----
events 1 6 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
bg back "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$KEY" --backlog 2
BACK=$BG_PID
check "--backlog 2 shows the last two entries" wait_for 10 contains "$T/back.out" "ev-6"
check "ev-5 too" contains "$T/back.out" "ev-5"
check "and nothing older" not contains "$T/back.out" "ev-4"
check "the result is paired with its call from the backlog" contains "$T/back.out" "↳ ev-6"
rcli XADD "$KEY" '*' payload nodata >/dev/null
events 7 7 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "then live entries" wait_for 10 contains "$T/back.out" "ev-7"
check "an entry without data is rejected with the reason" \
	contains "$T/back.err" "a stream entry without a field data"
rcli XADD "$KEY" '*' data '{"run_id": 1}' >/dev/null
events 8 8 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "a bad payload in an entry is rejected and the stream goes on" wait_for 10 contains "$T/back.out" "ev-8"
bg all "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$KEY" --backlog all
check "--backlog all reads the whole stream" wait_for 10 contains "$T/all.out" "ev-8"
check "from the first entry" once "$T/all.out" 1 8
kill "$BG_PID" "$BACK" 2>/dev/null
xreaders() { rcli CLIENT LIST | grep -c 'cmd=xread'; }
no_xreaders() { [ "$(xreaders)" -eq 0 ]; }
wait_for 10 no_xreaders
rcli DEL "$KEY" >/dev/null

# ---- resuming after a killed connection and a Redis restart ----
bg reader "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$KEY" --backlog 0
READER=$BG_PID
check "the reader waits on XREAD BLOCK" wait_for 10 not no_xreaders
events 1 300 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "the first batch arrives" wait_for 10 contains "$T/reader.out" "ev-300"
rcli CLIENT KILL TYPE normal >/dev/null
events 301 600 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "after its connection is killed, the reader goes on" wait_for 10 contains "$T/reader.out" "ev-600"
check "with every event exactly once" once "$T/reader.out" 1 600
check "and no outage row, since nothing was missed" not contains "$T/reader.out" "source lost"

stop_redis
events 601 900 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null 2>&1
check "emit fails while Redis is down" [ $? -eq 1 ]
start_redis --appendonly yes --appendfsync always
check "Redis comes back from its AOF with the stream" xlen 600
events 601 900 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "after Redis restarts, the reader resumes" wait_for 15 contains "$T/reader.out" "ev-900"
check "every event exactly once across the restart" once "$T/reader.out" 1 900
check "the reader is still running" is_running "$READER"
bg fresh "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$KEY" --backlog all
check "a reader started after the restart has everything" wait_for 10 contains "$T/fresh.out" "ev-900"
check "once each" once "$T/fresh.out" 1 900
kill "$READER" "$BG_PID" 2>/dev/null
rcli DEL "$KEY" >/dev/null

# ---- entries trimmed while a reader was away: a gap, not silence ----
TKEY="$KEY:trim"
events 1 10 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$TKEY" >/dev/null
bg treader "$LIVEHUD" --plain --redis "$REDIS_URL" --stream "$TKEY" --backlog all
TREADER=$BG_PID
start_bridge --redis "$REDIS_URL" --stream "$TKEY"
bg tws "$LIVEHUD" --ws "$WSURL" --plain
following() { contains "$T/treader.out" ev-10 && bridge_has_clients 1; }
check "a reader and a bridge's client are following" wait_for 10 following
kill -STOP "$TREADER" "$BRIDGE_PID"
rcli CLIENT KILL TYPE normal >/dev/null
events 11 60 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$TKEY" >/dev/null
rcli XTRIM "$TKEY" MAXLEN 5 >/dev/null
kill -CONT "$TREADER" "$BRIDGE_PID"
check "the reader, back, says entries were trimmed before it read them" \
	wait_for 10 grep -q 'GAP.*events missed across runs (seq [0-9]*-[0-9]*, stream_trimmed)' "$T/treader.out"
check "and goes on with what the stream still has" wait_for 10 contains "$T/treader.out" "ev-60"
check "the bridge's client gets a gap frame saying so" \
	wait_for 10 grep -q 'GAP.*events missed across runs (seq [0-9]*-[0-9]*, stream_trimmed)' "$T/tws.out"
check "the bridge logs it" contains "$T/bridge.err" "entries deleted before they were read"
kill "$TREADER" "$BG_PID" "$BRIDGE_PID" 2>/dev/null

# ---- three bridges behind haproxy ----
if ! command -v haproxy >/dev/null; then
	echo "# haproxy is not installed (bootstrap.sh installs it): scale-out skipped"
	done_testing
	exit
fi
N_BR=3
for i in 1 2 3; do eval "BP$i=$(free_port)"; done
HAPORT=$(free_port)
cat >"$T/haproxy.cfg" <<EOF
global
	maxconn 256
defaults
	mode http
	timeout connect 1s
	timeout client 30s
	timeout server 30s
	timeout tunnel 30s
	option redispatch
	retries 3
frontend fe
	bind 127.0.0.1:$HAPORT
	default_backend bridges
backend bridges
	balance roundrobin
	option httpchk GET /health
	server b1 127.0.0.1:$BP1 check inter 100ms fall 1 rise 1
	server b2 127.0.0.1:$BP2 check inter 100ms fall 1 rise 1
	server b3 127.0.0.1:$BP3 check inter 100ms fall 1 rise 1
EOF
haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 &
PIDS="$PIDS $!"

# bridge I: (re)starts bridge I on its port, PID in BPIDI.
bridge() {
	eval "port=\$BP$1"
	"$LIVEHUD" bridge --listen "127.0.0.1:$port" --redis "$REDIS_URL" --stream "$KEY" \
		>/dev/null 2>>"$T/bridge$1.err" &
	eval "BPID$1=$!"
	PIDS="$PIDS $!"
}
healthy() { eval "port=\$BP$1"; http_is 200 "http://127.0.0.1:$port/health"; }
clients_on() { eval "port=\$BP$1"; curl -s "http://127.0.0.1:$port/health" | sed -n 's/.*"clients":\([0-9]*\).*/\1/p'; }
all_healthy() { healthy 1 && healthy 2 && healthy 3; }
clients_total() {
	n=0
	for i in 1 2 3; do c=$(clients_on $i); n=$((n + ${c:-0})); done
	[ "$n" -ge 2 ]
}
for i in 1 2 3; do bridge $i; done
check "three bridges on one stream are up" wait_for 10 all_healthy
events 1 200 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
bg run "$LIVEHUD" --ws "ws://127.0.0.1:$HAPORT/ws/runtime/flow-s" --plain
bg every "$LIVEHUD" --ws "ws://127.0.0.1:$HAPORT" --plain
check "two clients connect through haproxy" wait_for 10 clients_total
# 2,000 more while the bridges the clients are on are killed, twice
( events 201 2200 | trickle 0.002 |
	"$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null ) &
PRODUCER=$!
PIDS="$PIDS $PRODUCER"
progress() { contains "$T/run.out" "ev-$1"; }
for round in 1 2; do
	wait_for 20 progress $((round * 700))
	killed=""
	for i in 1 2 3; do
		c=$(clients_on $i)
		if [ "${c:-0}" -gt 0 ]; then eval "kill -9 \$BPID$i"; killed="$killed $i"; fi
	done
	check "round $round: the bridges with clients are killed ($killed)" [ -n "$killed" ]
	for i in $killed; do bridge "$i"; done
	check "round $round: the clients reconnect through haproxy" wait_for 15 clients_total
done
wait "$PRODUCER"
check "the run's client has the last event" wait_for 20 contains "$T/run.out" "ev-2200"
check "the all-runs client too" wait_for 20 contains "$T/every.out" "ev-2200"

# Redis (AOF on) killed and restarted under the bridges while events flow:
# what Redis kept is delivered once, nothing lost.
( events 2201 2700 | trickle 0.002 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >"$T/emit4" 2>&1 ) &
PRODUCER=$!
PIDS="$PIDS $PRODUCER"
wait_for 20 progress 2300
stop_redis
wait "$PRODUCER"
check "the producer is cut off by the Redis restart" [ $? -eq 1 ]
check "and says so" contains "$T/emit4" "livehud: XADD failed"
start_redis --appendonly yes --appendfsync always
kept=$(rcli XLEN "$KEY")
last=$(rcli XREVRANGE "$KEY" + - COUNT 1 | grep -o 'ev-[0-9]*' | head -1)
check "Redis came back with the stream it had written ($kept entries, up to $last)" [ -n "$last" ]
events $((${last#ev-} + 1)) 3000 | "$LIVEHUD" emit --redis "$REDIS_URL" --stream "$KEY" >/dev/null
check "after Redis restarts, the run's client gets the rest" wait_for 20 contains "$T/run.out" "ev-3000"
check "the all-runs client too" wait_for 20 contains "$T/every.out" "ev-3000"
check "the run's client has every event exactly once" once "$T/run.out" 201 3000
check "the all-runs client too" once "$T/every.out" 201 3000
for f in run every; do
	check "no gap on the $f client" not contains "$T/$f.out" "GAP"
	grep -F GAP "$T/$f.out" | diag
done
done_testing
