import { type Conversation, MAX_JSON_DEPTH, MODEL_ID_MAX_LENGTH, type UsageReport } from '@sluice/contracts';
import { connect } from 'node:net';
import { Logger } from '@nestjs/common';
import { type ApiClient, expectError, registerUser } from './support/api-client';
import { deadUrl } from './support/net';
import { waitFor } from './support/sse';
import { startTestApp, type TestApp } from './support/test-app';

const nestedArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

describe('bounds on what a caller sends (e2e)', () => {
  let t: TestApp;
  let api: ApiClient;
  let conversation: Conversation;

  beforeAll(async () => {
    t = await startTestApp({ env: { OLLAMA_BASE_URL: await deadUrl() } });
    api = (await registerUser(t.url)).api;
    conversation = (await api.post<Conversation>('/api/conversations', { title: 'bounds' })).body;
  });
  afterAll(() => t?.close());

  describe('JSON nesting depth', () => {
    it('refuses a 120 KB body nested 20,000 levels deep, fast, on every route that takes a body', async () => {
      const deep = `{"title":"x","padding":"${'x'.repeat(80_000)}","model":${nestedArrays(20_000)}}`;
      expect(deep.length).toBeGreaterThan(120_000);
      for (const [method, path] of [
        ['POST', '/api/auth/register'],
        ['POST', '/api/auth/login'],
        ['POST', '/api/conversations'],
        ['PATCH', `/api/conversations/${conversation.id}`],
        ['POST', `/api/conversations/${conversation.id}/messages`],
      ] as const) {
        const started = performance.now();
        const response = await api.request(method, path, deep);
        const elapsed = performance.now() - started;
        const error = expectError(response, 400, 'validation_failed');
        expect([path, error.details]).toEqual([
          path,
          [{ path: '', message: `must not nest arrays and objects deeper than ${MAX_JSON_DEPTH} levels` }],
        ]);
        expect(elapsed).toBeLessThan(1_000);
      }
    });

    it('takes a body at the limit, and brackets inside strings are text', async () => {
      const atLimit = `{"title":"deep enough","x":${nestedArrays(MAX_JSON_DEPTH - 1)}}`;
      expect((await api.post('/api/conversations', atLimit)).status).toBe(201);
      const tooDeep = `{"title":"too deep","x":${nestedArrays(MAX_JSON_DEPTH)}}`;
      expectError(await api.post('/api/conversations', tooDeep), 400, 'validation_failed');
      const text = await api.post<Conversation>('/api/conversations', { title: nestedArrays(100) });
      expect(text.status).toBe(201);
    });

    it('keeps refusing a poisoned prototype and bodies that are not JSON', async () => {
      expectError(
        await api.post('/api/conversations', '{"title":"x","__proto__":{"model":"y"}}'),
        400,
        'validation_failed',
      );
      expectError(await api.post('/api/conversations', '{"title": '), 400, 'validation_failed');
      const form = await api.request('POST', '/api/auth/login', 'email=a%40b.co&password=x', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expectError(form, 400, 'validation_failed');
    });
  });

  describe('stored text', () => {
    it('refuses NUL in a title or a message, naming the field, and stores nothing', async () => {
      const created = expectError(
        await api.post('/api/conversations', { title: 'a\u0000b' }),
        400,
        'validation_failed',
      );
      expect(created.details).toEqual([{ path: 'title', message: NUL_MESSAGE }]);
      const renamed = expectError(
        await api.patch(`/api/conversations/${conversation.id}`, { title: '\u0000' }),
        400,
        'validation_failed',
      );
      expect(renamed.details).toEqual([{ path: 'title', message: NUL_MESSAGE }]);
      const sent = expectError(
        await api.post(`/api/conversations/${conversation.id}/messages`, { content: 'hi\u0000' }),
        400,
        'validation_failed',
      );
      expect(sent.details).toEqual([{ path: 'content', message: NUL_MESSAGE }]);
      expect((await api.get(`/api/conversations/${conversation.id}/messages`)).body).toEqual({ items: [] });
    });

    it('stores other odd text as it came (a lone surrogate as U+FFFD)', async () => {
      const title = 'tab\there 🦙 \u0001 \ud800';
      const created = await api.post<Conversation>('/api/conversations', { title });
      expect(created.status).toBe(201);
      expect(created.body.title).toBe('tab\there 🦙 \u0001 \ufffd');
    });
  });

  describe('model ids', () => {
    it.each([
      ['a line break', 'llama\r\nx-injected: yes'],
      ['a NUL', 'llama\u0000'],
      ['an emoji', 'llama🦙'],
      ['a space', 'llama 3'],
      ['too many characters', 'x'.repeat(MODEL_ID_MAX_LENGTH + 1)],
    ])('refuses a model id with %s, naming model, on every body that takes one', async (_what, model) => {
      for (const response of [
        await api.post('/api/conversations', { model }),
        await api.patch(`/api/conversations/${conversation.id}`, { model }),
        await api.post(`/api/conversations/${conversation.id}/messages`, { content: 'hi', model }),
      ]) {
        const error = expectError(response, 400, 'validation_failed');
        expect(error.details).toEqual([{ path: 'model', message: expect.any(String) }]);
      }
    });

    it('takes the longest id and printable ASCII', async () => {
      const model = `ollama/${'x'.repeat(MODEL_ID_MAX_LENGTH - 7)}`;
      expect((await api.post<Conversation>('/api/conversations', { model })).body.model).toBe(model);
      const odd = 'a!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~z';
      expect((await api.post<Conversation>('/api/conversations', { model: odd })).body.model).toBe(odd);
    });
  });

  describe('cursors and days', () => {
    it('refuses a cursor the API did not hand out, as validation_failed on cursor', async () => {
      const forged = (text: string) => Buffer.from(text).toString('base64url');
      for (const cursor of [
        'garbage',
        forged(`2025-01-01T00:00:00.000Z|${'-'.repeat(36)}`),
        forged(`0000-01-01T00:00:00.000Z|${conversation.id}`),
        forged(`2025-01-01|${conversation.id}`),
        forged(`2025-01-01T00:00:00.000Z|${conversation.id}|x`),
      ]) {
        const error = expectError(
          await api.get(`/api/conversations?cursor=${encodeURIComponent(cursor)}`),
          400,
          'validation_failed',
        );
        expect(error.details).toEqual([{ path: 'cursor', message: 'is not a cursor this API returned' }]);
      }
    });

    it('answers usage for the whole range of days, and refuses days outside it', async () => {
      const all = await api.get<UsageReport>('/api/usage?from=1970-01-01&to=9999-12-31');
      expect(all.status).toBe(200);
      expect(all.body).toMatchObject({ from: '1970-01-01', to: '9999-12-31', days: [] });
      const early = await api.get<UsageReport>('/api/usage?to=1970-01-05');
      expect(early.body).toMatchObject({ from: '1970-01-01', to: '1970-01-05' });
      for (const query of ['from=0000-01-01', 'to=0000-01-01', 'from=1969-12-31', 'to=10000-01-01']) {
        const error = expectError(await api.get(`/api/usage?${query}`), 400, 'validation_failed');
        expect([query, error.details]).toEqual([
          query,
          [{ path: query.slice(0, query.indexOf('=')), message: expect.any(String) }],
        ]);
      }
    });
  });

  describe('a body cut short', () => {
    it('is logged at debug, never as an error with a stack, and the API goes on answering', async () => {
      const errors = jest.spyOn(Logger.prototype, 'error');
      const debug = jest.spyOn(Logger.prototype, 'debug');
      for (let i = 0; i < 5; i++) {
        await new Promise<void>((resolve, reject) => {
          const socket = connect(Number(new URL(t.url).port), '127.0.0.1', () => {
            socket.write(
              'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
                'Content-Length: 100\r\n\r\n{"email":',
            );
            setTimeout(() => socket.destroy(), 50);
          });
          socket.on('close', () => resolve());
          socket.on('error', reject);
        });
      }
      await waitFor(
        () =>
          debug.mock.calls.filter(([line]) => String(line).includes('before its body ended')).length === 5,
      );
      expect(errors).not.toHaveBeenCalled();
      expect((await api.get('/api/auth/me')).status).toBe(200);
    });
  });
});
