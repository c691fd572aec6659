#!/usr/bin/python3
"""A WebSocket server that sends each client the frames of a file, one
line a frame, then holds the connection open: a kernel or bridge that says
exactly what a test wants, hostile or not.

  scripted_server.py PORT FRAMES_FILE
"""
import asyncio
import sys

import websockets


async def serve(ws, path=None):
    with open(sys.argv[2]) as frames:
        for line in frames:
            await ws.send(line.rstrip("\n"))
    await asyncio.sleep(3600)


async def main():
    async with websockets.serve(serve, "127.0.0.1", int(sys.argv[1])):
        await asyncio.Future()


asyncio.run(main())
