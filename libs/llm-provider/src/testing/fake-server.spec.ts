/**
 * The script behaviours every fake shares, over real sockets: what a client of each fake observes.
 */
import { startFakeOllama } from './fake-ollama';
import { startFakeOpenAI } from './fake-openai';
import type { FakeUpstream } from './fake-server';
import {
  httpChunks,
  normalise,
  OPENAI_KEY,
  postJson,
  readAll,
  requestError,
  targets,
} from './fake-spec-helpers';
import { startFakeVllm } from './fake-vllm';
import { fakeEmbedding } from './fake-util';

const all = targets({
  ollama: () => startFakeOllama(),
  openai: () => startFakeOpenAI({ apiKey: OPENAI_KEY }),
  vllm: () => startFakeVllm({ apiKey: OPENAI_KEY }),
});

describe.each(all)('fake $name: script behaviours', (target) => {
  let fake: FakeUpstream;
  const chat = (extra: Record<string, unknown> = {}, signal?: AbortSignal) =>
    postJson(`${fake.url}${target.chatPath}`, target.chatBody(extra), target.headers, signal);

  beforeAll(async () => {
    fake = await target.start();
  });
  afterAll(() => fake.close());
  beforeEach(() => fake.reset());

  it('listens on 127.0.0.1 and records every request with its parsed and raw body', async () => {
    expect(fake.url).toBe(`http://127.0.0.1:${fake.port}`);
    await readAll(await chat());
    const [call] = await fake.waitForRequests(1);
    expect(call).toMatchObject({ method: 'POST', path: target.chatPath, aborted: false });
    expect(call!.rawBody).toBe(JSON.stringify(call!.body));
    expect(call!.headers['content-type']).toBe('application/json');
    expect(call!.endedAt).toBeGreaterThanOrEqual(call!.receivedAt);
  });

  it('plays the default tokens, then queued scripts first-in first-out', async () => {
    fake.script({ tokens: ['one'] }, { tokens: ['two'] });
    expect(target.textOf((await readAll(await chat())).text)).toBe('one');
    expect(target.textOf((await readAll(await chat())).text)).toBe('two');
    expect(target.textOf((await readAll(await chat())).text)).toBe('Hello, world!');
    fake.defaultScript = { tokens: ['default'] };
    expect(target.textOf((await readAll(await chat())).text)).toBe('default');
    fake.defaultScript = {};
    expect(fake.calls).toHaveLength(4);
  });

  it('re-cuts the body into 1-byte writes that split UTF-8 characters, and it reassembles to the same text', async () => {
    fake.script({ tokens: ['héllo ', '世界'] }, { tokens: ['héllo ', '世界'], writeChunkBytes: 1 });
    const url = `${fake.url}${target.chatPath}`;
    const whole = await httpChunks(url, target.chatBody(), target.headers);
    const cut = await httpChunks(url, target.chatBody(), target.headers);
    expect(normalise(cut.text)).toBe(normalise(whole.text));
    expect(target.textOf(cut.text)).toBe('héllo 世界');
    expect(cut.chunks.length).toBe(Buffer.byteLength(cut.text));
    expect(cut.chunks.every((chunk) => chunk.length === 1)).toBe(true);
  });

  it('re-cuts in N-byte writes with the carry-over, and each event still waits for its delay', async () => {
    fake.script({ tokens: ['a', 'b', 'c'], writeChunkBytes: 7, delayMs: 30 });
    const started = performance.now();
    const cut = await readAll(await chat());
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
    expect(target.textOf(cut.text)).toBe('abc');
    expect(target.hasTerminal(cut.text)).toBe(true);
  });

  it('sees the client abort mid-stream within 100 ms and stops writing', async () => {
    fake.script({ tokens: Array.from({ length: 100 }, (_, i) => `t${i} `), delayMs: 10 });
    const controller = new AbortController();
    const response = await chat({}, controller.signal);
    const reader = response.body!.getReader();
    await reader.read();
    const abortedAt = performance.now();
    controller.abort();
    await reader.read().catch(() => undefined);
    const [call] = await fake.waitForRequests(1);
    const seen = await fake.waitForAbort(call!, 1_000);
    expect(seen.aborted).toBe(true);
    expect(seen.abortedAt! - abortedAt).toBeLessThan(100);
  });

  it('waitForAbort rejects for a response that ended normally, and on timeout', async () => {
    await readAll(await chat());
    await expect(fake.waitForAbort(fake.calls[0]!, 50)).rejects.toThrow('ended without a client abort');
    fake.script({ stallBeforeFirstTokenMs: 300 });
    const pending = chat().then(readAll);
    const calls = await fake.waitForRequests(2);
    await expect(fake.waitForAbort(calls[1]!, 50)).rejects.toThrow('did not disconnect');
    await pending;
  });

  it('waitForRequests resolves once enough model calls arrived and rejects on timeout', async () => {
    const waiting = fake.waitForRequests(2, 1_000);
    await Promise.all([chat().then(readAll), chat().then(readAll)]);
    expect(await waiting).toHaveLength(2);
    await expect(fake.waitForRequests(3, 30)).rejects.toThrow('only 2 model call(s)');
  });

  it('holds the headers back for headerDelayMs', async () => {
    fake.script({ headerDelayMs: 80 });
    const started = performance.now();
    const response = await chat();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(response.status).toBe(200);
    await readAll(response);
  });

  it('sends the headers, then nothing before the first token for stallBeforeFirstTokenMs', async () => {
    fake.script({ stallBeforeFirstTokenMs: 80 });
    const started = performance.now();
    const response = await chat();
    expect(performance.now() - started).toBeLessThan(60);
    const reader = response.body!.getReader();
    await reader.read();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    await reader.cancel();
  });

  it('stalls after N tokens (stallAfter) and carries on after it', async () => {
    fake.script({ tokens: ['a', 'b', 'c'], stallAfter: { tokens: 2, ms: 80 } });
    const started = performance.now();
    const body = await readAll(await chat());
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(target.textOf(body.text)).toBe('abc');
  });

  it('resets the connection before any answer (resetConnection)', async () => {
    fake.script({ resetConnection: true });
    await expect(chat()).rejects.toThrow();
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.aborted).toBe(false);
  });

  it('cuts the connection mid-body after N tokens (cutAfterTokens)', async () => {
    fake.script({ tokens: ['one', ' two', ' three'], cutAfterTokens: 2 });
    const response = await chat();
    const reader = response.body!.getReader();
    const chunks: Uint8Array[] = [];
    let failure: unknown;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
      }
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeDefined();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(target.textOf(text)).toBe('one two');
    expect(target.hasTerminal(text)).toBe(false);
  });

  it('ends cleanly without the terminal record (omitTerminal)', async () => {
    fake.script({ tokens: ['one', ' two'], omitTerminal: true });
    const body = await readAll(await chat());
    expect(target.textOf(body.text)).toBe('one two');
    expect(target.hasTerminal(body.text)).toBe(false);
  });

  it('writes a record that is not JSON after N tokens, then carries on (malformedAfterTokens)', async () => {
    fake.script({ tokens: ['one', ' two'], malformedAfterTokens: 1 });
    const body = await readAll(await chat());
    expect(target.textOf(body.text)).toBe('one');
    expect(target.hasTerminal(body.text)).toBe(true);
  });

  it('close() finishes promptly while a stream is stalled forever', async () => {
    const own = await target.start();
    own.script({ stallBeforeFirstTokenMs: Infinity });
    const response = await postJson(`${own.url}${target.chatPath}`, target.chatBody(), target.headers);
    const reading = readAll(response).then(
      () => 'ended',
      () => 'failed',
    );
    const started = performance.now();
    await own.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(await reading).toBe('failed');
    expect(own.calls[0]!.aborted).toBe(false);
  });

  it('answers a non-streamed call after the stall and with the scripted text', async () => {
    fake.script({ tokens: ['all', ' at once'], stallBeforeFirstTokenMs: 60 });
    const started = performance.now();
    const response = await postJson(
      `${fake.url}${target.chatPath}`,
      target.chatBody({ stream: false }),
      target.headers,
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(target.onceText(await response.json())).toBe('all at once');
  });

  it('resets the connection of a non-streamed call too', async () => {
    fake.script({ resetConnection: true });
    await expect(
      postJson(`${fake.url}${target.chatPath}`, target.chatBody({ stream: false }), target.headers),
    ).rejects.toThrow();
  });

  it('returns deterministic embeddings of the script dimensions', async () => {
    fake.script({ embeddingDimensions: 4 });
    const response = await postJson(
      `${fake.url}${target.embedPath}`,
      target.embedBody(['a', 'b']),
      target.headers,
    );
    const body = (await response.json()) as { embeddings?: number[][]; data?: { embedding: number[] }[] };
    const vectors = body.embeddings ?? body.data!.map((d) => d.embedding);
    expect(vectors).toEqual([fakeEmbedding('a', 4), fakeEmbedding('b', 4)]);
    expect(fakeEmbedding('a', 4)).not.toEqual(fakeEmbedding('b', 4));
    expect(fake.calls.map((c) => c.path)).toEqual([target.embedPath]);
  });

  it('reset() clears the queue, the records and unhealthy', async () => {
    fake.script({ tokens: ['queued'] });
    fake.unhealthy = true;
    fake.reset();
    expect(fake.unhealthy).toBe(false);
    expect(fake.requests).toEqual([]);
    expect(target.textOf((await readAll(await chat())).text)).toBe('Hello, world!');
  });

  it('does not record health and listing requests as model calls', async () => {
    await requestError(`${fake.url}/`);
    expect(fake.requests).toHaveLength(1);
    expect(fake.calls).toHaveLength(0);
  });
});
