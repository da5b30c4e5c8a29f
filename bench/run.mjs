// The benchmark: what each hop adds on top of the model server, side by side in one run.
//
//   npm run bench              full run (several minutes)
//   npm run bench -- --short   under 2 minutes
//   /usr/bin/node bench/run.mjs the same on another Node (npm's scripts run on node_modules' Node 24)
//
// Scenarios, all against the same fast fake upstream: the upstream directly; a bare Node relay (the
// floor for a Node hop); the Sluice gateway (apps/llm); the API in stage one; the API in stage two
// (through the gateway); the Portkey open-source gateway as the peer. Prints a table and writes JSON
// under bench/results/.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { oneStream, openIdleStreams, percentile, runStreams } from './lib/load.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const short = process.argv.includes('--short');
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');

const PLAN = short
  ? { warmup: 300, sequential: 40, c50: 400, c200: 800, idle: 1_000, aborts: 10 }
  : { warmup: 1_000, sequential: 200, c50: 2_000, c200: 4_000, idle: 10_000, aborts: 30 };
const TOKENS = 10;
const INTERVAL_MS = 5;
const GATEWAY_TOKEN = 'bench-internal-token-0123456789abcdef';
const MODEL = 'bench-model';

const children = [];
const cleanups = [];
process.on('exit', () => children.forEach((child) => child.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts a Node process with a raised file-descriptor limit; resolves once `ready` answers. */
async function startProcess(name, args, { env = {}, ready, cwd = root }) {
  const command = `ulimit -n 65536 2>/dev/null || ulimit -n $(ulimit -Hn); exec "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')}`;
  const child = spawn('bash', ['-c', command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}):\n${output}`);
    if (await ready(output).catch(() => false)) return { name, child, pid: child.pid };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${name} did not become ready:\n${output}`);
}

/**
 * The Node flags an app's image starts it with (its Dockerfile's CMD): the bench runs what ships.
 * BENCH_NODE_FLAGS (space-separated, may be empty) runs both apps with other flags instead, to compare.
 */
function imageNodeFlags(app) {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const dockerfile = readFileSync(path.join(root, `docker/${app}.Dockerfile`), 'utf8');
  const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)[1]);
  return cmd.slice(1, -1);
}

const httpReady = (url) => async () => (await fetch(url).catch(() => undefined))?.ok === true;

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

const CLOCK_TICKS_PER_SECOND = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU time (user + system) a process has used so far, in ms; fields 14 and 15 of /proc/<pid>/stat. */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count from the `)` that closes it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function hopPidsOf(target) {
  return target.hopPids ?? (target.pid ? [target.pid] : []);
}

/** CPU (ms) spent between now and `perStream(n)` by the hop, the load generator and the upstream, per stream. */
function cpuMeter(upstreamPid, hopPids) {
  const hop = () => hopPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const load = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const start = { hop: hop(), load: load(), upstream: cpuMs(upstreamPid) };
  return {
    perStream(streamCount) {
      const hopMs = (hop() - start.hop) / streamCount;
      const loadMs = (load() - start.load) / streamCount;
      const upstreamMs = (cpuMs(upstreamPid) - start.upstream) / streamCount;
      return {
        ...(hopPids.length > 0 ? { cpuMsPerStream: hopMs } : {}),
        loadCpuMsPerStream: loadMs,
        upstreamCpuMsPerStream: upstreamMs,
        machineCpuMsPerStream: hopMs + loadMs + upstreamMs,
      };
    },
  };
}

async function configureUpstream(upstreamUrl, settings) {
  await fetch(`${upstreamUrl}/__bench/config`, { method: 'POST', body: JSON.stringify(settings) });
}

function build() {
  log('building the API, the gateway and their libraries');
  const result = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/nx/dist/bin/nx.js'),
      'run-many',
      '-t',
      'build',
      '-p',
      'api',
      'llm',
      '--outputStyle=static',
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } },
  );
  if (result.status !== 0) throw new Error('the build failed');
}

/** The bench's own packages: the peer gateway and undici for the bare relay. */
function ensureBenchPackages() {
  const needed = ['@portkey-ai/gateway/build/start-server.js', 'undici/package.json'];
  if (needed.every((file) => existsSync(path.join(here, 'node_modules', file)))) return;
  log('installing the peer gateway and undici (bench/package.json)');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--strict-allow-scripts'], {
    cwd: here,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('npm ci in bench/ failed');
}

/** Registers a user, logs in and returns a function that creates a fresh conversation per stream. */
async function apiSession(baseUrl) {
  const credentials = {
    email: `bench-${Date.now()}@example.com`,
    password: `pw-${randomBytes(12).toString('base64url')}`,
  };
  const registered = await fetch(`${baseUrl}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(credentials),
  });
  if (!registered.ok) throw new Error(`register failed: ${registered.status} ${await registered.text()}`);
  const { accessToken } = await registered.json();
  const headers = { authorization: `Bearer ${accessToken}` };
  return {
    headers,
    async conversations(count) {
      const ids = [];
      for (let i = 0; i < count; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, count - i) }, async () => {
            const res = await fetch(`${baseUrl}/api/conversations`, {
              method: 'POST',
              headers: { ...headers, 'content-type': 'application/json' },
              body: JSON.stringify({ title: 'bench' }),
            });
            if (!res.ok) throw new Error(`create conversation: ${res.status} ${await res.text()}`);
            return (await res.json()).id;
          }),
        );
        ids.push(...batch);
      }
      return ids;
    },
  };
}

async function startStack(upstreamUrl) {
  const targets = {};
  const openAiBody = {
    model: MODEL,
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'Say ten tokens' }],
  };

  targets.direct = { url: `${upstreamUrl}/v1/chat/completions`, body: openAiBody, headers: {} };

  const relayPort = await freePort();
  const relay = await startProcess(
    'relay',
    [path.join(here, 'lib/relay.mjs'), String(relayPort), upstreamUrl],
    {
      ready: async (out) => out.includes('ready'),
    },
  );
  targets.relay = {
    url: `http://127.0.0.1:${relayPort}/v1/chat/completions`,
    body: openAiBody,
    headers: {},
    pid: relay.pid,
  };

  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const gatewayEnv = {
    NODE_ENV: 'production',
    PORT: String(gatewayPort),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LLM_GATEWAY_TOKEN: GATEWAY_TOKEN,
    LLM_PROVIDER: 'openai',
    OPENAI_BASE_URL: `${upstreamUrl}/v1`,
    OPENAI_API_KEY: 'bench-upstream-key',
    LLM_MODEL: MODEL,
  };
  const gateway = await startProcess(
    'gateway',
    [...imageNodeFlags('llm'), path.join(root, 'dist/apps/llm/apps/llm/src/main.js')],
    {
      env: gatewayEnv,
      ready: httpReady(`${gatewayUrl}/health/live`),
    },
  );
  targets.gateway = {
    url: `${gatewayUrl}/v1/chat/completions`,
    body: openAiBody,
    headers: { authorization: `Bearer ${GATEWAY_TOKEN}` },
    pid: gateway.pid,
  };

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  // As root, the embedded PostgreSQL runs as the `postgres` user, which must reach its data folder.
  chmodSync(dataDir, 0o755);
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const apiEnv = async (name, extra) => ({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'bench-jwt-secret-that-is-long-enough-0123456789',
    DATA_DIR: path.join(dataDir, name),
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    AUTH_RATE_LIMIT: '1000',
    // One bench user opens every stream: the per-user fair-use limits are not what is measured.
    CHAT_USER_RPM: '0',
    API_USER_RPM: '0',
    CHAT_USER_MAX_STREAMS: '0',
    JWT_EXPIRES_IN: '1h',
    ...(process.env.DATABASE_URL ? { DATABASE_URL: await benchDatabase(name) } : {}),
    ...extra,
  });
  for (const [name, extra] of [
    [
      'api1',
      {
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: `${upstreamUrl}/v1`,
        OPENAI_API_KEY: 'bench-upstream-key',
        LLM_MODEL: MODEL,
      },
    ],
    [
      'api2',
      {
        LLM_MODE: 'gateway',
        LLM_GATEWAY_URL: gatewayUrl,
        LLM_GATEWAY_TOKEN: GATEWAY_TOKEN,
        LLM_MODEL: MODEL,
      },
    ],
  ]) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const api = await startProcess(
      name,
      [...imageNodeFlags('api'), path.join(root, 'dist/apps/api/apps/api/src/main.js')],
      {
        env: { ...(await apiEnv(name, extra)), PORT: String(port) },
        ready: httpReady(`${baseUrl}/health/live`),
      },
    );
    const session = await apiSession(baseUrl);
    targets[name] = {
      url: undefined,
      baseUrl,
      session,
      body: { content: 'Say ten tokens' },
      headers: session.headers,
      pid: api.pid,
      // Stage two's hop is the API and the gateway behind it.
      hopPids: name === 'api2' ? [api.pid, gateway.pid] : [api.pid],
    };
  }

  const portkeyPort = await freePort();
  const portkey = await startProcess(
    'portkey',
    [
      '--import',
      path.join(here, 'lib/loopback-only.mjs'),
      path.join(here, 'node_modules/@portkey-ai/gateway/build/start-server.js'),
      `--port=${portkeyPort}`,
      '--headless',
    ],
    { env: { NODE_ENV: 'production' }, ready: httpReady(`http://127.0.0.1:${portkeyPort}/`) },
  );
  targets.portkey = {
    url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
    body: openAiBody,
    headers: {
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstreamUrl}/v1`,
      authorization: 'Bearer bench-upstream-key',
    },
    pid: portkey.pid,
  };
  return targets;
}

async function benchDatabase(name) {
  const { default: pg } = await import(path.join(root, 'node_modules/pg/lib/index.js'));
  const database = `sluice_bench_${name}_${Date.now()}`;
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(`CREATE DATABASE ${database}`);
  await client.end();
  cleanups.push(async () => {
    const dropper = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await dropper.end();
  });
  const url = new URL(process.env.DATABASE_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `total` streams at `concurrency` against a target (API targets get a conversation each). */
async function streams(target, concurrency, total) {
  if (!target.session) return runStreams({ ...target, concurrency, total });
  const ids = await target.session.conversations(total);
  let next = 0;
  const results = [];
  const started = performance.now();
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency + 16 });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const id = ids[next++];
        results.push(
          await oneStream({
            url: `${target.baseUrl}/api/conversations/${id}/messages`,
            headers: target.headers,
            body: target.body,
            agent,
          }),
        );
      }
    }),
  );
  agent.destroy();
  return { results, wallMs: performance.now() - started };
}

function summarise({ results, wallMs }) {
  const ok = results.filter((r) => r.ok);
  const ttfts = ok.map((r) => r.ttftMs);
  const gaps = ok.flatMap((r) => r.gaps);
  return {
    streams: results.length,
    errors: results.length - ok.length,
    errorSamples: [...new Set(results.filter((r) => !r.ok).map((r) => r.error))].slice(0, 3),
    ttftP50: percentile(ttfts, 50),
    ttftP99: percentile(ttfts, 99),
    gapP50: percentile(gaps, 50),
    gapP99: percentile(gaps, 99),
    streamsPerSecond: (ok.length / wallMs) * 1000,
  };
}

async function abortLatency(target, upstreamUrl, count) {
  const latencies = [];
  const http = await import('node:http');
  const agent = new http.Agent({ keepAlive: false });
  const ids = target.session ? await target.session.conversations(count) : [];
  for (let i = 0; i < count; i++) {
    await configureUpstream(upstreamUrl, { tokens: 1_000, intervalMs: 20, stall: false });
    const url = target.session ? `${target.baseUrl}/api/conversations/${ids[i]}/messages` : target.url;
    const result = await oneStream({ ...target, url, agent, abortAfterFirstToken: true });
    if (!result.aborted) continue;
    const deadline = Date.now() + 2_000;
    let seenAt = 0;
    while (Date.now() < deadline) {
      const { lastAbortAt } = await (await fetch(`${upstreamUrl}/__bench/last-abort`)).json();
      if (lastAbortAt >= result.abortedAt - 1) {
        seenAt = lastAbortAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    latencies.push(seenAt ? seenAt - result.abortedAt : Infinity);
  }
  agent.destroy();
  await configureUpstream(upstreamUrl, { tokens: TOKENS, intervalMs: INTERVAL_MS, stall: false });
  return { p50: percentile(latencies, 50), max: Math.max(...latencies), samples: latencies.length };
}

async function idleMemory(target, upstreamUrl, count) {
  if (!target.pid) return undefined;
  await configureUpstream(upstreamUrl, { tokens: TOKENS, intervalMs: INTERVAL_MS, stall: true });
  await new Promise((resolve) => setTimeout(resolve, 500));
  global.gc?.();
  const before = rssMb(target.pid);
  const ids = target.session ? await target.session.conversations(count) : [];
  let idle;
  if (target.session) {
    // API targets: one conversation per stream.
    const handles = [];
    for (const id of ids) {
      handles.push(
        await openIdleStreams({
          url: `${target.baseUrl}/api/conversations/${id}/messages`,
          headers: target.headers,
          body: target.body,
          count: 1,
        }),
      );
    }
    idle = {
      opened: handles.reduce((n, h) => n + h.opened, 0),
      failed: handles.reduce((n, h) => n + h.failed, 0),
      close: () => handles.forEach((h) => h.close()),
    };
  } else {
    idle = await openIdleStreams({ ...target, count });
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = rssMb(target.pid);
  idle.close();
  await configureUpstream(upstreamUrl, { tokens: TOKENS, intervalMs: INTERVAL_MS, stall: false });
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  return {
    streams: count,
    rssBeforeMb: before,
    rssAfterMb: after,
    kbPerStream: ((after - before) * 1024) / count,
  };
}

async function main() {
  build();
  ensureBenchPackages();
  const upstreamPort = await freePort();
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}`;
  const upstream = await startProcess(
    'upstream',
    [path.join(here, 'lib/upstream.mjs'), String(upstreamPort)],
    {
      ready: async (out) => out.includes('ready'),
    },
  );
  await configureUpstream(upstreamUrl, { tokens: TOKENS, intervalMs: INTERVAL_MS, stall: false });
  const targets = await startStack(upstreamUrl);
  const names = Object.keys(targets).filter((name) => !only || only.includes(name));

  const results = {};
  for (const name of names) {
    const target = targets[name];
    // Every target gets the same warm-up, enough for V8 to optimise its hot paths: the figures are
    // the steady state, not the first requests through a cold JIT.
    log(`${name}: warm-up (${PLAN.warmup})`);
    await streams(target, 50, PLAN.warmup);
    log(`${name}: 1 stream at a time (${PLAN.sequential})`);
    const c1 = summarise(await streams(target, 1, PLAN.sequential));
    log(`${name}: 50 concurrent (${PLAN.c50})`);
    const c50 = summarise(await streams(target, 50, PLAN.c50));
    log(`${name}: 200 concurrent (${PLAN.c200})`);
    // Where the machine's CPU goes per stream: the hop's own process(es), the load generator (this
    // process) and the upstream share the same cores, so the hop's cost shows diluted in streams/s.
    const meter = cpuMeter(upstream.pid, hopPidsOf(target));
    const c200 = summarise(await streams(target, 200, PLAN.c200));
    Object.assign(c200, meter.perStream(PLAN.c200));
    log(`${name}: abort latency`);
    const abort = name === 'direct' ? undefined : await abortLatency(target, upstreamUrl, PLAN.aborts);
    results[name] = { c1, c50, c200, abort, rssMb: target.pid ? rssMb(target.pid) : undefined };
    log(`${name}: done ${JSON.stringify({ c1: c1.ttftP50, c50: c50.ttftP50, c200: c200.ttftP50 })}`);
  }

  // Last: 10,000 idle streams leave as many sockets in TIME_WAIT on the loopback for a minute, which
  // would starve the scenarios after them of ephemeral ports.
  for (const name of names.filter((n) => ['gateway', 'relay', 'portkey'].includes(n))) {
    log(`${name}: ${PLAN.idle} idle streams`);
    results[name].memory = await idleMemory(targets[name], upstreamUrl, PLAN.idle);
  }

  const report = {
    when: new Date().toISOString(),
    mode: short ? 'short' : 'full',
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    upstream: { tokens: TOKENS, intervalMs: INTERVAL_MS },
    plan: PLAN,
    results,
  };
  mkdirSync(path.join(here, 'results'), { recursive: true });
  const file = path.join(here, 'results', `bench-${report.when.replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(here, 'results', 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(table(report));
  log(`results written to ${path.relative(root, file)}`);
}

const f = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '—');

function table(report) {
  const { results } = report;
  const direct = results.direct;
  const relay = results.relay;
  const rows = [
    '| scenario | added TTFT p50 @1 | @50 | @200 | added TTFT p99 @1 | @50 | @200 | gap p50 / p99 @50 | streams/s @200 (vs direct) | CPU per stream @200 | errors | abort → upstream p50 / max | idle stream memory |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const [name, r] of Object.entries(results)) {
    const added = (level, p) => (direct ? r[level][p] - direct[level][p] : NaN);
    const rate = direct
      ? `${f(r.c200.streamsPerSecond, 0)} (${f((100 * r.c200.streamsPerSecond) / direct.c200.streamsPerSecond, 0)}%)`
      : f(r.c200.streamsPerSecond, 0);
    rows.push(
      `| ${name} | ${f(added('c1', 'ttftP50'), 2)} ms | ${f(added('c50', 'ttftP50'))} ms | ${f(added('c200', 'ttftP50'))} ms | ${f(added('c1', 'ttftP99'), 2)} ms | ${f(added('c50', 'ttftP99'))} ms | ${f(added('c200', 'ttftP99'))} ms | ${f(r.c50.gapP50, 2)} / ${f(r.c50.gapP99)} ms | ${rate} | ${r.c200.cpuMsPerStream === undefined ? '—' : `${f(r.c200.cpuMsPerStream, 2)} ms`} | ${r.c1.errors + r.c50.errors + r.c200.errors} | ${r.abort ? `${f(r.abort.p50)} / ${f(r.abort.max)} ms` : '—'} | ${r.memory ? `${f(r.memory.kbPerStream)} KB × ${r.memory.streams}${r.memory.failed ? ` (${r.memory.failed} failed to open)` : ''}` : '—'} |`,
    );
  }
  const gw = results.gateway;
  const lines = [rows.join('\n')];
  if (gw && relay && direct) {
    // A relay that added nothing measurable (within the direct run's noise) has no ratio to give.
    const ratio = (level, p) => {
      const relayAdded = relay[level][p] - direct[level][p];
      if (relayAdded < 0.05) return 'n/a (relay within noise of direct)';
      return `×${f((gw[level][p] - direct[level][p]) / relayAdded, 2)}`;
    };
    lines.push(
      '',
      `gateway vs bare relay, added TTFT: p50 ${ratio('c1', 'ttftP50')} @1, ${ratio('c50', 'ttftP50')} @50, ${ratio('c200', 'ttftP50')} @200; p99 ${ratio('c1', 'ttftP99')} @1, ${ratio('c50', 'ttftP99')} @50, ${ratio('c200', 'ttftP99')} @200`,
    );
    if (results.portkey) {
      lines.push(
        `gateway vs Portkey, streams/s @200: ×${f(gw.c200.streamsPerSecond / results.portkey.c200.streamsPerSecond, 2)}; Portkey spends ×${f(results.portkey.c200.cpuMsPerStream / gw.c200.cpuMsPerStream, 2)} the gateway’s CPU per stream`,
        // The ceiling for any Node hop on this machine: the load generator and the upstream share its cores.
        `bare relay vs Portkey, streams/s @200: ×${f(relay.c200.streamsPerSecond / results.portkey.c200.streamsPerSecond, 2)}`,
      );
    }
  }
  lines.push(
    '',
    '| scenario | CPU per stream @200: hop | load generator | upstream | whole machine | streams/s the cores hold at that cost | measured |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const [name, r] of Object.entries(results)) {
    const c = r.c200;
    if (c.machineCpuMsPerStream === undefined) continue;
    const ceiling = (report.machine.cpus * 1000) / c.machineCpuMsPerStream;
    lines.push(
      `| ${name} | ${c.cpuMsPerStream === undefined ? '—' : `${f(c.cpuMsPerStream, 2)} ms`} | ${f(c.loadCpuMsPerStream, 2)} ms | ${f(c.upstreamCpuMsPerStream, 2)} ms | ${f(c.machineCpuMsPerStream, 2)} ms | ${f(ceiling, 0)} | ${f(c.streamsPerSecond, 0)} |`,
    );
  }
  lines.push(
    '',
    `machine: ${report.machine.cpus} × ${report.machine.model}, ${report.machine.memoryGb} GB, Node ${report.machine.node}; ${report.mode} run, ${report.upstream.tokens}-token streams ${report.upstream.intervalMs} ms apart`,
  );
  return lines.join('\n');
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    children.forEach((child) => child.kill('SIGTERM'));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
    process.exit();
  });
