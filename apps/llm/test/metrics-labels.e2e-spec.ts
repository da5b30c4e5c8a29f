import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { startFakeOpenAI, type FakeOpenAI } from '@sluice/llm-provider/testing';
import { AUTH, postJson } from './support/http';
import { eventually, requestLines, startGateway, type TestGateway } from './support/gateway';

const KEY = 'sk-upstream-0123456789abcdef';
const REQUESTS = 10_000;
const CONCURRENCY = 32;
/** /metrics of a fresh gateway is about 10 KB (the process metrics); a few known series add little. */
const METRICS_BYTES_MAX = 48 * 1024;

/** A bare POST over a keep-alive agent: fetch costs this in-process test more CPU than the gateway does. */
function post(url: string, body: unknown, agent: Agent): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...AUTH,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(payload);
  });
}

/** The value of the sample `name{…}` whose labels include all of `labels`. */
function sample(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of metrics.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.split(' ').at(-1));
  }
  return undefined;
}

/** Every `sluice_llm_requests_total` sample added up. */
function totalRequests(metrics: string): number {
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('sluice_llm_requests_total{'))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

describe('metric labels take only known model ids', () => {
  let upstream: FakeOpenAI;
  let gateway: TestGateway;

  beforeAll(async () => {
    // An upstream that answers any model name (a proxy in front of many models): every random id is
    // a successful call, the case where caller-chosen names would otherwise become label values.
    upstream = await startFakeOpenAI({ apiKey: KEY, servesAnyModel: true });
    gateway = await startGateway({
      env: {
        LLM_PROVIDER: 'openai',
        OPENAI_BASE_URL: `${upstream.url}/v1`,
        OPENAI_API_KEY: KEY,
        LLM_MAX_RETRIES: '0',
        // One line per request at info would be 10,000 lines kept in memory by the harness.
        LOG_LEVEL: 'warn',
      },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await upstream?.close();
  });

  it(`keeps /metrics under ${METRICS_BYTES_MAX / 1024} KB after ${REQUESTS} calls with random model ids`, async () => {
    const known = await postJson(`${gateway.url}/v1/chat/completions`, {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(known.status).toBe(200);
    await known.text();

    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const seen: string[] = [];
    let next = 0;
    const statuses = new Map<number, number>();
    const worker = async () => {
      while (next < REQUESTS) {
        next++;
        const model = `random-${randomBytes(6).toString('hex')}`;
        if (seen.length < 100) seen.push(model);
        const status = await post(
          `${gateway.url}/v1/chat/completions`,
          { model, messages: [{ role: 'user', content: 'hi' }] },
          agent,
        );
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker)).finally(() => agent.destroy());
    expect(Object.fromEntries(statuses)).toEqual({ 200: REQUESTS });

    // Each call is counted when its response closes, a moment after the client read it.
    const metrics = await eventually(async () => {
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      return totalRequests(text) === REQUESTS + 1 ? text : undefined;
    }, 5_000);
    expect(Buffer.byteLength(metrics)).toBeLessThan(METRICS_BYTES_MAX);
    expect(sample(metrics, 'sluice_llm_requests_total', { model: 'other', outcome: 'ok' })).toBe(REQUESTS);
    expect(
      sample(metrics, 'sluice_llm_requests_total', {
        model: 'gpt-4o-mini',
        provider: 'openai',
        outcome: 'ok',
      }),
    ).toBe(1);
    for (const model of seen) expect(metrics).not.toContain(model);
    expect(requestLines(gateway)).toEqual([]);
  }, 120_000);
});
