#!/usr/bin/python3
"""make chaos: livehud's bridge against a real Redis that is killed,
restarted, stopped, made to drop its subscriber, and against its own
SIGKILL, while events flow; a real WebSocket client on /ws/runs records
what arrives. Each scenario prints what it measured (time until the bridge
is live again, events published and received, events lost inside outages
the bridge announced, gap frames) and the run fails on any event lost
without an announcement: every published event must arrive, or fall in a
source_interrupted gap's time span (with a second of slack either side:
the bridge notices an outage a moment after it begins).

  chaos.py LIVEHUD    (environment: CHAOS_RESTARTS, default 20)
"""
import asyncio, json, os, shutil, signal, socket, subprocess, sys, tempfile, time

import websockets

LIVEHUD = sys.argv[1]
RESTARTS = int(os.environ.get("CHAOS_RESTARTS", "20"))
TMP = tempfile.mkdtemp(prefix="livehud-chaos.")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


REDIS_PORT, BRIDGE_PORT = free_port(), free_port()


def start_redis():
    return subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--dir", TMP], stdout=subprocess.DEVNULL)


def start_bridge():
    return subprocess.Popen([LIVEHUD, "bridge", "--listen", "127.0.0.1:%d" % BRIDGE_PORT, "--redis",
                             "redis://127.0.0.1:%d" % REDIS_PORT, "--channel", "chaos", "--redis-timeout", "1"],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(TMP, "bridge.log"), "a"))


def health():
    try:
        with socket.create_connection(("127.0.0.1", BRIDGE_PORT), timeout=1) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            return s.recv(64).split(b" ")[1] == b"200"
    except OSError:
        return False


async def until(cond, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if cond():
            return True
        await asyncio.sleep(0.02)
    return False


def redis_cmd(*args):
    """One command on a connection of its own; None when Redis does not answer."""
    try:
        with socket.create_connection(("127.0.0.1", REDIS_PORT), timeout=2) as s:
            s.sendall(b"".join([b"*%d\r\n" % len(args)] +
                               [b"$%d\r\n%s\r\n" % (len(a), a) for a in (x.encode() for x in args)]))
            return s.recv(4096)
    except OSError:
        return None


class Publisher:
    """About 1,000 events a second over its own connection; remembers when
    each was published and whether Redis took it."""
    def __init__(self):
        self.n, self.sent, self.stop, self.pad = 0, {}, False, 200

    async def run(self):
        writer = None
        while not self.stop:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", REDIS_PORT)
                self.n += 1
                body = json.dumps({"run_id": "chaos-%d" % (self.n % 7), "category": "THOUGHT",
                                   "message": "n=%d" % self.n, "n": self.n, "pad": "x" * self.pad}).encode()
                writer.write(b"*3\r\n$7\r\nPUBLISH\r\n$5\r\nchaos\r\n$%d\r\n%s\r\n" % (len(body), body))
                at = time.time()
                line = await asyncio.wait_for(reader.readline(), 2)
                if line.startswith(b":"):
                    self.sent[self.n] = at
                await asyncio.sleep(0.001)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                if writer:
                    writer.close()
                writer = None
                await asyncio.sleep(0.05)


class Client:
    """A /ws/runs client that reconnects as a browser would (from now on)."""
    def __init__(self):
        self.got, self.windows, self.gaps, self.stop = set(), [], 0, False

    async def run(self):
        while not self.stop:
            try:
                async with websockets.connect("ws://127.0.0.1:%d/ws/runs" % BRIDGE_PORT, max_size=None) as ws:
                    async for msg in ws:
                        f = json.loads(msg)
                        if f.get("type") == "log_event":
                            self.got.add(f["payload"]["n"])
                        elif f.get("type") == "gap":
                            self.gaps += 1
                            if f.get("reason") == "source_interrupted":
                                self.windows.append((iso(f["since"]), iso(f["until"])))
            except (OSError, websockets.WebSocketException, asyncio.TimeoutError):
                await asyncio.sleep(0.05)


def iso(s):
    from datetime import datetime
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=__import__("datetime").timezone.utc).timestamp()


def judge(name, pub, cli, first, last, live_ms):
    ns = [n for n in pub.sent if first <= n <= last]
    lost = [n for n in ns if n not in cli.got]
    announced = [n for n in lost if any(a - 1 <= pub.sent[n] <= b + 1 for a, b in cli.windows)]
    silent = len(lost) - len(announced)
    print("chaos %-34s live again after %s; %d published, %d received, %d lost in announced outages, "
          "%d lost unannounced, %d gap frames so far" % (name, live_ms, len(ns), len(ns) - len(lost),
                                                       len(announced), silent, cli.gaps))
    return silent == 0


async def settle(pub, cli):
    """Waits until events flow end to end again; returns the first n that counts."""
    first = pub.n + 1
    await until(lambda: any(n >= first for n in cli.got), 15)
    return first


async def main():
    redis = start_redis()
    await until(lambda: redis_cmd("PING") is not None, 10)
    bridge = start_bridge()
    await until(health, 10)
    pub, cli = Publisher(), Client()
    tasks = [asyncio.create_task(pub.run()), asyncio.create_task(cli.run())]
    ok = True
    first = await settle(pub, cli)

    async def outage(name, hurt, heal):
        nonlocal first, redis, ok
        await asyncio.sleep(0.5)
        hurt()
        await asyncio.sleep(0.5)
        t0 = time.monotonic()
        heal()
        live = await until(lambda: health() and cli.got and max(cli.got) > pub.n - 50, 20)
        live_ms = "%d ms" % ((time.monotonic() - t0) * 1000) if live else "NEVER"
        await asyncio.sleep(1)
        last = pub.n - 100
        ok &= live and judge(name, pub, cli, first, last, live_ms)
        first = last + 1

    def kill_redis():
        redis.kill()
        redis.wait()

    def restart_redis():
        nonlocal redis
        redis = start_redis()

    for i in range(RESTARTS):
        await outage("kill -9 Redis, restart (%d/%d):" % (i + 1, RESTARTS), kill_redis, restart_redis)
    await outage("SIGSTOP Redis 3 s:", lambda: (redis.send_signal(signal.SIGSTOP), time.sleep(3)),
                 lambda: redis.send_signal(signal.SIGCONT))
    await outage("CLIENT KILL TYPE pubsub:", lambda: redis_cmd("CLIENT", "KILL", "TYPE", "pubsub"), lambda: None)
    # 20 KB events while the bridge is stopped: more than the socket
    # buffers hold, so Redis's output buffer passes its limit and Redis
    # drops the subscriber, as it does a slow one in production.
    redis_cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 128kb 1")
    pub.pad = 20000
    await outage("output buffer limit (bridge stopped 3 s):",
                 lambda: (bridge.send_signal(signal.SIGSTOP), time.sleep(3)),
                 lambda: bridge.send_signal(signal.SIGCONT))
    pub.pad = 200
    redis_cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60")

    # The bridge itself killed: a --ws client resumes and is told what is gone.
    ws = subprocess.Popen([LIVEHUD, "--ws", "ws://127.0.0.1:%d" % BRIDGE_PORT, "--plain"],
                          stdout=open(os.path.join(TMP, "ws.out"), "w"), stderr=subprocess.DEVNULL)
    await asyncio.sleep(1)
    bridge.kill()
    bridge.wait()
    t0 = time.monotonic()
    bridge = start_bridge()
    live = await until(health, 10)
    text = lambda: open(os.path.join(TMP, "ws.out")).read()
    told = await until(lambda: "[GAP]" in text() and "history restarted" in text(), 15)
    print("chaos %-34s live again after %d ms; the --ws client %s" % (
        "SIGKILL the bridge, restart:", (time.monotonic() - t0) * 1000,
        "shows the lost history as a GAP row" if told else "was NOT told what it lost"))
    ok &= live and told
    ws.terminate()

    pub.stop = cli.stop = True
    for t in tasks:
        t.cancel()
    bridge.terminate()
    redis.kill()
    print("chaos: %s" % ("nothing lost without being announced" if ok else "FAILED"))
    shutil.rmtree(TMP, ignore_errors=True)
    return 0 if ok else 1


sys.exit(asyncio.run(main()))
