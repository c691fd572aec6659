#!/bin/sh
# A fast smoke run of the load tool behind `make bench`, so it cannot rot:
# a few clients at a low rate through the bridge, and a direct subscriber.
. "$TESTS_SRCDIR/lib.sh"
LHBENCH="$(dirname "$LIVEHUD")/tests/bench/lhbench"
[ -x "$LHBENCH" ] || { echo "1..0 # SKIP lhbench is not built (make tests/bench/lhbench)"; exit 0; }
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }
start_bridge --redis "$REDIS_URL" --channel bench
wait_for 10 has_subscribers bench
out=$("$LHBENCH" --redis-port "$REDIS_PORT" --channel bench --ws-port "$BRIDGE_PORT" --clients 3 --runs 2 \
	--rate 2000 --seconds 1 --pid "$BRIDGE_PID" --prefix smoke)
check "lhbench through the bridge exits 0 (nothing lost)" [ $? -eq 0 ]
field() { echo "$out" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
check "3 clients over 2 runs see 3000 frames" [ "$(field delivered)" = 3000 ]
check "in order" [ "$(field reordered)" = 0 ]
check "with latency percentiles" [ -n "$(field p99_us)" ]
check "and the bridge's CPU and peak RSS" [ -n "$(field cpu_s)" ] && [ "$(field peak_rss_kb)" -gt 0 ]
out=$("$LHBENCH" --redis-port "$REDIS_PORT" --channel bench --direct --count 5000 --prefix direct)
check "lhbench as a direct subscriber gets all 5000" [ "$(field delivered)" = 5000 ]
out=$("$LHBENCH" --redis-port "$REDIS_PORT" --channel bench --stream bench --direct --count 5000 --prefix xread)
check "lhbench appends to a stream and reads it back with XREAD" [ "$(field delivered)" = 5000 ]
kill "$BRIDGE_PID"
start_bridge --redis "$REDIS_URL" --stream bench --backlog 0
out=$("$LHBENCH" --redis-port "$REDIS_PORT" --channel bench --stream bench --ws-port "$BRIDGE_PORT" --clients 2 \
	--runs 2 --rate 2000 --seconds 1 --pid "$BRIDGE_PID" --prefix smoke)
check "through a bridge on --stream, every frame in order" \
	[ "$(field delivered)" = 2000 ] && [ "$(field reordered)" = 0 ]
done_testing
