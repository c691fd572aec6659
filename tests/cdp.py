#!/usr/bin/python3
"""Evaluates a JavaScript expression in headless Chromium's page, over the
DevTools protocol (Debian's python3-websockets), until its value matches.

  cdp.py PORT EXPRESSION REGEX [SECONDS]

Prints the last value; exits 0 when it matched REGEX within SECONDS
(default 20), 1 otherwise.
"""
import asyncio
import json
import re
import sys
import time
import urllib.request

import websockets


def page_ws_url(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as r:
        targets = json.load(r)
    return next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")


async def evaluate_until(port, expr, pattern, seconds):
    deadline = time.monotonic() + seconds
    async with websockets.connect(page_ws_url(port), max_size=None) as ws:
        n, value = 0, None
        while time.monotonic() < deadline:
            n += 1
            await ws.send(json.dumps({"id": n, "method": "Runtime.evaluate",
                                      "params": {"expression": expr, "returnByValue": True}}))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("id") == n:
                    break
            value = reply.get("result", {}).get("result", {}).get("value")
            if value is not None and re.search(pattern, str(value)):
                print(value)
                return True
            await asyncio.sleep(0.05)
        print(value)
        return False


def main():
    port, expr, pattern = sys.argv[1], sys.argv[2], sys.argv[3]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 20
    ok = False
    try:
        ok = asyncio.run(evaluate_until(port, expr, pattern, seconds))
    except (OSError, StopIteration, websockets.WebSocketException) as e:
        print("error", type(e).__name__, e, file=sys.stderr)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
