import type { ChatHistorySettings } from '../config/api-config';
import type { HistoryMessage } from '../conversations/messages.service';
import { estimateTokens, HistoryBudget, requestBytes } from './history-budget';

const SETTINGS: ChatHistorySettings = {
  defaultContextTokens: 8192,
  answerReserveTokens: 2048,
  maxRequestBytes: 1_048_576,
};

/** `count` alternating messages of `bytes` ASCII bytes each, oldest first, numbered from 0. */
function conversation(count: number, bytes: number): HistoryMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: `#${i} `.padEnd(bytes, 'x'),
  }));
}

const sum = (messages: HistoryMessage[], measure: (m: HistoryMessage) => number) =>
  messages.reduce((total, message) => total + measure(message), 0);

describe('estimateTokens', () => {
  it('counts UTF-8 bytes, not characters, plus the role markers', () => {
    expect(estimateTokens({ role: 'user', content: 'a'.repeat(300) })).toBe(100 + 8);
    expect(estimateTokens({ role: 'user', content: '世'.repeat(300) })).toBe(300 + 8);
    expect(estimateTokens({ role: 'user', content: '🙂' })).toBe(2 + 8);
  });
});

describe('HistoryBudget', () => {
  it('keeps the newest messages that fit the default window less the reserve, the oldest left out', () => {
    const history = conversation(200, 300);
    const budget = HistoryBudget.for(SETTINGS, undefined, 'And now?');
    const kept = budget.fit(history);
    const available = 8192 - 2048 - estimateTokens({ role: 'user', content: 'And now?' });
    expect(budget.tokens).toBe(available);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(history.slice(history.length - kept.length));
    expect(sum(kept, estimateTokens)).toBeLessThanOrEqual(available);
    const oneMore = history.slice(history.length - kept.length - 1);
    expect(sum(oneMore, estimateTokens)).toBeGreaterThan(available);
  });

  it('uses the window the upstream reports instead of the default', () => {
    const history = conversation(2_000, 300);
    const small = HistoryBudget.for(SETTINGS, 4096, 'hi').fit(history);
    const unknown = HistoryBudget.for(SETTINGS, undefined, 'hi').fit(history);
    const large = HistoryBudget.for(SETTINGS, 131_072, 'hi').fit(history);
    expect(small.length).toBeLessThan(unknown.length);
    expect(unknown.length).toBeLessThan(large.length);
    expect(sum(large, estimateTokens)).toBeLessThanOrEqual(131_072 - 2048);
  });

  it('never reserves more than half the window for the answer', () => {
    const message = 'x'.repeat(30);
    const budget = HistoryBudget.for({ ...SETTINGS, answerReserveTokens: 4096 }, 2048, message);
    expect(budget.tokens).toBe(1024 - estimateTokens({ role: 'user', content: message }));
  });

  it('keeps the request under the byte limit, counting what JSON escaping adds', () => {
    // Quotes, newlines and control characters take 2 to 6 bytes each in JSON.
    const history: HistoryMessage[] = Array.from({ length: 100 }, (_, i) => ({
      role: i % 2 === 0 ? 'user' : 'assistant',
      content: `#${i} ${'"\n\u0001'.repeat(100)}`,
    }));
    const settings = { ...SETTINGS, maxRequestBytes: 20_000 };
    const kept = HistoryBudget.for(settings, 1_000_000, 'next').fit(history);
    const body = JSON.stringify([...kept, { role: 'user', content: 'next' }]);
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(20_000);
    expect(Buffer.byteLength(body)).toBeGreaterThan(20_000 - requestBytes(history[0]!));
  });

  it('leaves no gap: once a message does not fit, no older one goes either', () => {
    const history: HistoryMessage[] = [
      { role: 'user', content: 'small and old' },
      { role: 'assistant', content: 'x'.repeat(30_000) },
      { role: 'user', content: 'newest' },
    ];
    expect(HistoryBudget.for(SETTINGS, undefined, 'hi').fit(history)).toEqual([history[2]]);
  });

  it('sends only the new message when it alone fills the window', () => {
    const budget = HistoryBudget.for(SETTINGS, 4096, 'y'.repeat(20_000));
    expect(budget.tokens).toBe(0);
    expect(budget.fit(conversation(10, 10))).toEqual([]);
    expect(budget.loadLimit.maxBytes).toBe(0);
  });

  it('loads no less than it keeps: the database limit, run newest first, holds every message that fits', () => {
    const pieces = ['a', 'é', '世', '🙂', '"', '\n', '\u0001', ' '];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    for (let run = 0; run < 200; run++) {
      const history: HistoryMessage[] = Array.from({ length: 1 + random(60) }, (_, i) => ({
        role: i % 2 === 0 ? 'user' : 'assistant',
        content: Array.from({ length: 1 + random(400) }, () => pieces[random(pieces.length)]).join(''),
      }));
      const budget = HistoryBudget.for(
        { ...SETTINGS, maxRequestBytes: 1_000 + random(20_000) },
        random(2) === 0 ? undefined : 512 + random(16_384),
        'new',
      );
      // What MessagesService.history's query returns for this limit.
      const { maxBytes, bytesPerMessage } = budget.loadLimit;
      const mostRows = Math.floor(maxBytes / (bytesPerMessage + 1));
      let running = 0;
      let first = history.length;
      while (first > 0 && history.length - first < mostRows) {
        running += Buffer.byteLength(history[first - 1]!.content) + bytesPerMessage;
        if (running > maxBytes) break;
        first--;
      }
      const loaded = history.slice(first);
      expect(budget.fit(loaded)).toEqual(budget.fit(history));
    }
  });
});
