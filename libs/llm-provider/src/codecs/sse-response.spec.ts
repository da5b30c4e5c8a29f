import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { SseResponse } from './sse-response';

async function exchange() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const responded = once(server, 'request') as Promise<[unknown, ServerResponse]>;
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  let text = '';
  client.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  // HTTP/1.0: no chunked framing between the frames, so the raw text is the SSE text.
  client.write('GET / HTTP/1.0\r\nHost: x\r\n\r\n');
  const [, res] = await responded;
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  return { server, res, client, received: () => text };
}

describe('SseResponse', () => {
  it('writes frames and comments in SSE framing', async () => {
    const { server, res, client, received } = await exchange();
    const sse = new SseResponse(res);
    await sse.send({ event: 'delta', id: 1, data: '{"text":"hi"}' });
    sse.comment('keep-alive');
    sse.end();
    const expected = 'event: delta\nid: 1\ndata: {"text":"hi"}\n\n: keep-alive\n\n';
    for (let i = 0; i < 100 && !received().includes(expected); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(received()).toContain(expected);
    client.destroy();
    server.close();
  });

  it('holds a write while the client does not read, skips comments meanwhile, and lets go when it leaves', async () => {
    const { server, res, client } = await exchange();
    client.pause();
    const sse = new SseResponse(res);
    let pending: Promise<void> | undefined;
    for (let i = 0; i < 200 && !pending; i++) {
      const write = sse.send({ data: 'x'.repeat(256 * 1024) });
      const done = await Promise.race([
        write.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 20)),
      ]);
      if (!done) pending = write;
    }
    expect(pending).toBeDefined();
    const before = res.writableLength;
    sse.comment('keep-alive');
    expect(res.writableLength).toBe(before);
    client.destroy();
    await pending;
    expect(sse.open).toBe(false);
    await sse.send({ data: 'after' }); // a gone client: nothing written, nothing thrown
    server.close();
  });

  it('sends a keep-alive comment only after a quiet interval, never between writes closer than that', async () => {
    const { server, res, client, received } = await exchange();
    const sse = new SseResponse(res);
    sse.keepAlive(60);
    // A write every 20 ms for 200 ms: the stream is never quiet for 60 ms.
    for (let i = 0; i < 10; i++) {
      await sse.send({ data: String(i) });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(received()).not.toContain(': keep-alive');
    await new Promise((r) => setTimeout(r, 200));
    expect(received().match(/\n: keep-alive\n\n/g)?.length).toBeGreaterThanOrEqual(2);
    sse.end();
    const settled = received().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(received().length).toBe(settled);
    client.destroy();
    server.close();
  });
});
