import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodyChunks, httpTarget, post } from './http-transport';

type Answer = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let answer: Answer;
let server: http.Server;
let url: URL;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/stream`);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (signal = new AbortController().signal) => post(httpTarget(url), {}, '{}', signal);

describe('bodyChunks', () => {
  it('reads every chunk in order, pausing the body while a slow reader is behind', async () => {
    answer = (_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 200; i++) res.write(`${String(i).padStart(4, '0')};`.repeat(256));
      res.end();
    };
    const { body } = await send();
    let text = '';
    let sawPaused = false;
    for await (const chunk of bodyChunks(body)) {
      text += chunk.toString('latin1');
      // A slow consumer: the body runs ahead, then waits.
      await new Promise((resolve) => setImmediate(resolve));
      sawPaused ||= body.isPaused();
    }
    const expected = Array.from({ length: 200 }, (_, i) => `${String(i).padStart(4, '0')};`.repeat(256));
    expect(text).toBe(expected.join(''));
    expect(sawPaused).toBe(true);
  });

  it('throws when the body is cut before its end', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    const { body } = await send();
    const read = async () => {
      for await (const chunk of bodyChunks(body)) expect(chunk.toString()).toBe('partial');
    };
    await expect(read()).rejects.toThrow();
  });

  it('closes the request when the reader stops early', async () => {
    let closed: Promise<unknown> = Promise.resolve();
    answer = (_req, res) => {
      closed = once(res, 'close');
      res.writeHead(200);
      res.write('first');
      // Never ends on its own.
    };
    const { body } = await send();
    for await (const chunk of bodyChunks(body)) {
      expect(chunk.toString()).toBe('first');
      break;
    }
    await closed;
    expect(body.destroyed).toBe(true);
  });

  it('throws when the signal aborts while the body is read', async () => {
    let closed: Promise<unknown> = Promise.resolve();
    answer = (_req, res) => {
      closed = once(res, 'close');
      res.writeHead(200);
      res.write('first');
    };
    const controller = new AbortController();
    const { body } = await send(controller.signal);
    const chunks = bodyChunks(body);
    await expect(chunks.next()).resolves.toMatchObject({ done: false });
    const pending = chunks.next();
    controller.abort();
    await expect(pending).rejects.toThrow();
    await closed;
  });
});

describe('post', () => {
  it('refuses at once on a signal already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(send(controller.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });
});
