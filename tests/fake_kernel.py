#!/usr/bin/python3
"""A stand-in for the agent runtime's kernel (PROTOCOL.md section 2), on
Debian's python3-websockets: for one client of /ws/runtime/RUN it sends a
state_update, agent lifecycle, log events in the kernel's reduced shape, an
intervention, an error and an unknown frame type; waits for GO_FILE; then
sends a completed state and closes 500 ms later, as the kernel does.

  fake_kernel.py PORT GO_FILE [CERT KEY]
"""
import asyncio
import json
import os
import ssl
import sys

import websockets


def state(status, active, completed, tokens):
    return {"type": "state_update", "timestamp": "2026-01-08T10:30:45Z", "signatures": {},
            "topology": {}, "state": {"run_id": "flow-k", "status": status, "active_agents": active,
                                      "completed_agents": completed, "failed_agents": [],
                                      "invocations": [], "total_tokens_used": tokens,
                                      "start_time": "2026-01-08T10:30:40Z", "end_time": None}}


def log(agent, category, message, metadata, ts):
    return {"type": "log_event", "agent_id": agent,
            "payload": {"message": message, "metadata": metadata, "category": category},
            "timestamp": ts}


async def serve(ws, path=None):
    go = sys.argv[2]
    send = lambda m: ws.send(json.dumps(m))
    await send(state("running", ["researcher"], [], 1200))
    await send({"type": "agent_started", "agent_id": "researcher", "payload": {}, "timestamp": "2026-01-08T10:30:41Z"})
    await send(log("researcher", "TOOL_CALL", 'web_search({"query": "RARO"}...)', "IO_REQ", "2026-01-08T10:30:45.100000Z"))
    await send(log("researcher", "TOOL_RESULT", "Found 3 citations.", "IO_OK", "2026-01-08T10:30:45.400000Z"))
    await send(log(None, "REASONING", "planning", None, "2026-01-08T10:30:46Z"))
    await send({"type": "topology_update", "nodes": []})
    await send({"error": "tool sandbox crashed"})
    await send({"type": "intervention_event", "agent_id": "researcher",
                "payload": {"reason": "delete 3 files in /data?"}, "timestamp": "2026-01-08T10:30:47Z"})
    await send(state("awaitingapproval", ["researcher"], [], 1500))
    while not os.path.exists(go):
        await asyncio.sleep(0.05)
    await send({"type": "agent_completed", "agent_id": "researcher", "payload": {}, "timestamp": "2026-01-08T10:30:50Z"})
    await send(state("completed", [], ["researcher"], 2048))
    await asyncio.sleep(0.5)
    await ws.close()


async def main():
    ctx = None
    if len(sys.argv) > 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    async with websockets.serve(serve, "127.0.0.1", int(sys.argv[1]), ssl=ctx):
        await asyncio.Future()


asyncio.run(main())
