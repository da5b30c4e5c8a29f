import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { SseWriter } from './sse-writer';

/** A real server whose handler hands us the response, and a raw client socket we can stop reading. */
async function exchange(): Promise<{
  server: Server;
  res: ServerResponse;
  client: Socket;
  received: () => string;
}> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  const responded = once(server, 'request') as Promise<[unknown, ServerResponse]>;
  const client = connect(port, '127.0.0.1');
  let text = '';
  client.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const [, res] = await responded;
  return { server, res, client, received: () => text };
}

const settled = async (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), ms))]);

describe('SseWriter', () => {
  it('waits for the client to read before writing more (backpressure)', async () => {
    const { server, res, client } = await exchange();
    client.pause();
    const writer = new SseWriter(res, 60_000);
    writer.start({});
    const big = { text: 'x'.repeat(256 * 1024) };
    let blocked: Promise<boolean> | undefined;
    for (let i = 0; i < 200 && !blocked; i++) {
      const write = writer.json(big);
      if (!(await settled(write, 20))) blocked = write;
    }
    expect(blocked).toBeDefined();
    expect(await settled(blocked!, 200)).toBe(false);
    client.resume();
    await expect(blocked).resolves.toBe(true);
    writer.end();
    client.destroy();
    server.close();
  });

  it('sends a keep-alive comment when idle, and reports a client that left', async () => {
    const { server, res, client, received } = await exchange();
    const writer = new SseWriter(res, 50);
    writer.start({ 'x-request-id': 'r1' });
    await writer.json({ a: 1 });
    await new Promise((resolve) => setTimeout(resolve, 180));
    expect(received()).toContain('x-request-id: r1');
    expect(received()).toContain('data: {"a":1}\n\n');
    expect(received().match(/\n: keep-alive\n\n/g)?.length).toBeGreaterThanOrEqual(2);
    client.destroy();
    await once(res, 'close');
    await expect(writer.json({ a: 2 })).resolves.toBe(false);
    expect(writer.open).toBe(false);
    server.close();
  });
});
