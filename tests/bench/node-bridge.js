// The baseline: a live-log bridge written the idiomatic way with ws and
// ioredis, as a user would without livehud. Same paths and envelope.
//   node node-bridge.js PORT REDIS_PORT CHANNEL
const http = require('http');
const { WebSocketServer } = require('ws');
const Redis = require('ioredis');

const [port, redisPort, channel] = process.argv.slice(2);
const server = http.createServer((req, res) => { res.writeHead(404); res.end(); });
const wss = new WebSocketServer({ server });
const byRun = new Map();
const seqs = new Map();

wss.on('connection', (ws, req) => {
  const m = /^\/ws\/runtime\/([^/?]+)/.exec(req.url);
  if (!m) return ws.close(1008);
  const run = m[1];
  if (!byRun.has(run)) byRun.set(run, new Set());
  byRun.get(run).add(ws);
  ws.on('close', () => byRun.get(run).delete(ws));
});

const sub = new Redis({ port: Number(redisPort) });
sub.subscribe(channel);
sub.on('message', (_ch, text) => {
  let ev;
  try { ev = JSON.parse(text); } catch { return; }
  if (!ev || typeof ev.run_id !== 'string') return;
  const seq = (seqs.get(ev.run_id) || 0) + 1;
  seqs.set(ev.run_id, seq);
  const { run_id, agent_id, timestamp, ...payload } = ev;
  const frame = JSON.stringify({
    type: 'log_event', agent_id: agent_id ?? null,
    payload: { ...payload, metadata: payload.metadata || 'INFO' },
    timestamp: new Date().toISOString(), run_id, seq,
  });
  for (const ws of byRun.get(run_id) || []) ws.send(frame);
});
server.listen(Number(port), '127.0.0.1');
