#!/usr/bin/python3
"""A kernel-like server on one port, as the agent runtime's is: the
WebSocket of /ws/runtime/RUN (each line of FRAMES_FILE a frame, once a
client is connected, then held open) and the HTTP API's
POST /runtime/RUN/resume and POST /runtime/RUN/stop, each recorded in
POST_LOG as "METHOD PATH AUTHORIZATION". Runs named on the command line
answer 200, others 404 Not Found. Standard library only: the WebSocket
handshake and frames are written by hand, so one port serves both.

  kernel_server.py PORT FRAMES_FILE POST_LOG [--tls CERT KEY] [RUN...]
"""
import asyncio
import base64
import hashlib
import ssl
import sys

PORT, FRAMES, LOG, REST = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
TLS = None
if REST[:1] == ["--tls"]:
    TLS = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    TLS.load_cert_chain(REST[1], REST[2])
    REST = REST[3:]
RUNS = set(REST)
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def frame(text):
    data = text.encode()
    n = len(data)
    if n < 126:
        head = bytes([0x81, n])
    elif n < 65536:
        head = bytes([0x81, 126]) + n.to_bytes(2, "big")
    else:
        head = bytes([0x81, 127]) + n.to_bytes(8, "big")
    return head + data


async def websocket(reader, writer, headers):
    accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest())
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    with open(FRAMES) as frames:
        for line in frames:
            writer.write(frame(line.rstrip("\n")))
    await writer.drain()
    while await reader.read(4096):
        pass


async def api(reader, writer, method, path, headers):
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    with open(LOG, "a") as log:
        log.write("%s %s %s\n" % (method, path, headers.get("authorization", "-")))
    parts = path.split("/")
    ok = (method == "POST" and len(parts) == 4 and parts[1] == "runtime" and parts[2] in RUNS
          and parts[3] in ("resume", "stop"))
    body = b'{"status":"ok"}' if ok else b'{"detail":"Not Found"}'
    writer.write(b"HTTP/1.1 " + (b"200 OK" if ok else b"404 Not Found") +
                 b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() +
                 b"\r\n\r\n" + body)
    await writer.drain()


async def handle(reader, writer):
    try:
        while True:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            method, path = head[0].split(" ")[:2]
            headers = {}
            for line in head[1:]:
                if ":" in line:
                    key, value = line.split(":", 1)
                    headers[key.strip().lower()] = value.strip()
            if headers.get("upgrade", "").lower() == "websocket":
                await websocket(reader, writer, headers)
                break
            await api(reader, writer, method, path, headers)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", PORT, ssl=TLS)
    async with server:
        await server.serve_forever()


asyncio.run(main())
