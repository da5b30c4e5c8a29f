import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { SseDecoder } from '@sluice/llm-provider';
import { SseWriter } from './sse-writer';

function fakeResponse(): { res: ServerResponse; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { res: stream as unknown as ServerResponse, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('SseWriter', () => {
  it('numbers events, keeps a quiet stream alive, and survives multi-line text', async () => {
    const { res, text } = fakeResponse();
    const sse = new SseWriter(res, 20);
    await sse.event('delta', { text: 'line one\nline two' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sse.event('done', { finishReason: 'stop', usage: {} });
    sse.end();
    await new Promise((resolve) => setImmediate(resolve));

    expect(text()).toContain(': keep-alive\n\n');
    const decoder = new SseDecoder();
    const events = [...decoder.push(text()), ...decoder.end()];
    expect(events).toEqual([
      { event: 'delta', id: '1', data: JSON.stringify({ text: 'line one\nline two' }) },
      { event: 'done', id: '2', data: JSON.stringify({ finishReason: 'stop', usage: {} }) },
    ]);
  });

  it('writes nothing once the response is gone', async () => {
    const { res, text } = fakeResponse();
    const sse = new SseWriter(res, 10);
    res.destroy();
    await sse.event('delta', { text: 'lost' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sse.open).toBe(false);
    expect(text()).toBe('');
  });
});
