#!/bin/sh
# redis+sentinel://: a master, a replica and a sentinel on loopback; emit,
# a Pub/Sub reader, a stream reader, a bridge on the stream and a recorder
# find the master through the sentinel, and after SENTINEL FAILOVER each
# follows the new master.
. "$TESTS_SRCDIR/lib.sh"
start_redis || { echo "1..0 # SKIP redis-server did not start"; exit 0; }
MASTER_PORT=$REDIS_PORT
REPLICA_PORT=$(free_port)
SENTINEL_PORT=$(free_port)
redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --save '' --dir "$T" \
	--replicaof 127.0.0.1 "$MASTER_PORT" >"$T/replica.log" 2>&1 &
PIDS="$PIDS $!"
cat >"$T/sentinel.conf" <<EOF
port $SENTINEL_PORT
bind 127.0.0.1
dir $T
sentinel monitor lhm 127.0.0.1 $MASTER_PORT 1
sentinel down-after-milliseconds lhm 1000
sentinel failover-timeout lhm 5000
EOF
redis-server "$T/sentinel.conf" --sentinel >"$T/sentinel.log" 2>&1 &
PIDS="$PIDS $!"
scli() { redis-cli -p "$SENTINEL_PORT" "$@"; }
sentinel_up() { [ "$(scli PING 2>/dev/null)" = PONG ]; }
wait_for 10 sentinel_up || { echo "1..0 # SKIP redis-server --sentinel did not start"; exit 0; }

URL="redis+sentinel://127.0.0.1:$(free_port),127.0.0.1:$SENTINEL_PORT/lhm"
CH="test:live:$$"
KEY="test:sstream:$$"
RKEY="test:recorded:$$"
master_port() { scli SENTINEL get-master-addr-by-name lhm | sed -n 2p; }
knows_replica() { scli SENTINEL replicas lhm | grep -qx "$REPLICA_PORT"; }
master_is() { [ "$(master_port)" = "$1" ]; }

bg pubsub "$LIVEHUD" --plain --redis "$URL" --channel "$CH"
PUBSUB=$BG_PID
bg stream "$LIVEHUD" --plain --redis "$URL" --stream "$KEY" --backlog all
bg rec "$LIVEHUD" record --redis "$URL" --channel "$CH" --stream "$RKEY"
start_bridge --redis "$URL" --stream "$KEY"
bg wsc "$LIVEHUD" --ws "$WSURL" --plain
check "readers find the master through the second sentinel (the first is down)" \
	wait_for 10 has_subscribers "$CH" 2
check "the bridge too, with its client" wait_for 10 bridge_has_clients 1
check "the recorder takes its lease on the master" wait_for 10 sh -c "[ -n \"\$(redis-cli -p $MASTER_PORT GET $RKEY:recorder)\" ]"
events 1 100 | "$LIVEHUD" emit --redis "$URL" --stream "$KEY" --channel "$CH" >"$T/emit1" 2>"$T/emit1.err"
check "emit through the sentinel appends and publishes" contains "$T/emit1" "appended 100 events to stream $KEY, published"
check "the Pub/Sub reader has them" wait_for 10 contains "$T/pubsub.out" "ev-100"
check "the stream reader too" wait_for 10 contains "$T/stream.out" "ev-100"
check "and the recorder wrote them" wait_for 10 sh -c "[ \"\$(redis-cli -p $MASTER_PORT XLEN $RKEY)\" -ge 100 ]"

check "the sentinel knows the replica" wait_for 30 knows_replica
# until the replica is in sync the sentinel answers NOGOODSLAVE
failover() { t0=$(ms); [ "$(scli SENTINEL FAILOVER lhm)" = OK ]; }
check "SENTINEL FAILOVER is accepted" wait_for 30 failover
check "the replica becomes the master" wait_for 20 master_is "$REPLICA_PORT"
check "the Pub/Sub reader hears +switch-master and says where the master went" \
	wait_for 10 contains "$T/pubsub.err" "master lhm moved from 127.0.0.1:$MASTER_PORT to 127.0.0.1:$REPLICA_PORT"
check "and is live again, on the new master" wait_for 10 sh -c "redis-cli -p $REPLICA_PORT PUBSUB NUMSUB $CH | sed -n 2p | grep -qx '[1-9][0-9]*'"
echo "# from SENTINEL FAILOVER to the reader subscribed on the new master: $(( $(ms) - t0 )) ms"
events 101 200 | "$LIVEHUD" emit --redis "$URL" --stream "$KEY" --channel "$CH" >"$T/emit2" 2>"$T/emit2.err"
check "emit finds the new master" contains "$T/emit2" "appended 100 events"
check "the Pub/Sub reader follows" wait_for 10 contains "$T/pubsub.out" "ev-200"
check "the stream reader follows" wait_for 10 contains "$T/stream.out" "ev-200"
check "the bridge follows, and its client gets the events" wait_for 10 contains "$T/wsc.out" "ev-200"
check "every one once" once "$T/wsc.out" 1 200
check "with no gap" not contains "$T/wsc.out" "GAP"
check "and has every entry once across the failover" once "$T/stream.out" 1 200
check "the Pub/Sub reader is still the same process" is_running "$PUBSUB"
check "the recorder writes on the new master" \
	wait_for 10 sh -c "redis-cli -p $REPLICA_PORT XRANGE $RKEY - + | grep -q 'ev-200'"
done_testing
