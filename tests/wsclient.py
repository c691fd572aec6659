#!/usr/bin/python3
"""A WebSocket client for the tests, on Debian's python3-websockets.

  wsclient.py recv URL N [--header 'K: V']...  print N frames, one per line
  wsclient.py hold URL                         print frames until closed, then "closed CODE"
  wsclient.py status URL [--header 'K: V']...  print the HTTP status of the handshake
  wsclient.py stall URL GO_FILE                connect, read nothing until GO_FILE exists,
                                               then print every frame until 2 s of silence
  wsclient.py send URL BYTES                   send one message of BYTES bytes, print "closed CODE"
Exit 0 on success, 1 on a timeout or an unexpected close.
"""
import asyncio
import os
import ssl
import sys

import websockets


def options(argv):
    headers, rest = [], []
    it = iter(argv)
    for a in it:
        if a == "--header":
            k, v = next(it).split(":", 1)
            headers.append((k.strip(), v.strip()))
        else:
            rest.append(a)
    return headers, rest


def connect(url, headers, **kw):
    ctx = None
    if url.startswith("wss://"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return websockets.connect(url, extra_headers=headers, ssl=ctx, open_timeout=10,
                              max_size=None, **kw)


async def recv(url, n, headers):
    async with connect(url, headers) as ws:
        print("connected", flush=True)
        for _ in range(n):
            print(await asyncio.wait_for(ws.recv(), 20), flush=True)


async def hold(url, headers):
    async with connect(url, headers, ping_interval=None) as ws:
        print("connected", flush=True)
        try:
            async for msg in ws:
                print(msg, flush=True)
        except websockets.ConnectionClosed:
            pass
        print("closed", ws.close_code, flush=True)


async def status(url, headers):
    try:
        async with connect(url, headers):
            print(101)
    except websockets.InvalidStatusCode as e:
        print(e.status_code)


async def stall(url, go_file, headers):
    # max_queue=1 and no reading: the socket fills and the server must cope.
    async with connect(url, headers, max_queue=1, read_limit=2 ** 12, ping_interval=None) as ws:
        print("connected", flush=True)
        while not os.path.exists(go_file):
            await asyncio.sleep(0.05)
        try:
            while True:
                print(await asyncio.wait_for(ws.recv(), 2), flush=True)
        except asyncio.TimeoutError:
            pass


async def send_big(url, size, headers):
    async with connect(url, headers, ping_interval=None) as ws:
        try:
            await ws.send("x" * size)
            await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed:
            pass
        print("closed", ws.close_code, flush=True)


def main():
    headers, args = options(sys.argv[1:])
    cmd, url = args[0], args[1]
    if cmd == "recv":
        asyncio.run(recv(url, int(args[2]), headers))
    elif cmd == "hold":
        asyncio.run(hold(url, headers))
    elif cmd == "status":
        asyncio.run(status(url, headers))
    elif cmd == "send":
        asyncio.run(send_big(url, int(args[2]), headers))
    elif cmd == "stall":
        asyncio.run(stall(url, args[2], headers))


if __name__ == "__main__":
    try:
        main()
    except (asyncio.TimeoutError, websockets.ConnectionClosed, OSError) as e:
        print("error", type(e).__name__, e, file=sys.stderr)
        sys.exit(1)
