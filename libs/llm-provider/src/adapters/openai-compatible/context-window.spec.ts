import { createServer, type Server } from 'node:http';
import { OpenAICompatibleProvider } from './openai-compatible-provider';

/**
 * Servers that put a context window on their model cards, which the fakes of OpenAI (none) and vLLM
 * (`max_model_len` in the listing) do not cover: a `context_length` in the listing.
 */
describe('the OpenAI-compatible context window', () => {
  let server: Server;
  let url: string;
  const paths: string[] = [];
  const cards: Record<string, Record<string, unknown>> = {
    'qwen/qwen3-32b': { id: 'qwen/qwen3-32b', object: 'model', owned_by: 'qwen', context_length: 40960 },
    'no-window': { id: 'no-window', object: 'model', owned_by: 'someone' },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      paths.push(path);
      res.setHeader('content-type', 'application/json');
      if (path === '/v1/models') {
        res.end(JSON.stringify({ object: 'list', data: Object.values(cards) }));
        return;
      }
      const card = cards[decodeURIComponent(path.slice('/v1/models/'.length))];
      if (path.startsWith('/v1/models/') && card) {
        res.end(JSON.stringify(card));
        return;
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error', code: null } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => (paths.length = 0));

  it("reads a listing entry's context_length, and says nothing for a model without one", async () => {
    const provider = new OpenAICompatibleProvider({ id: 'openai', baseUrl: url, apiKey: 'sk-x' });
    await expect(provider.contextWindow('qwen/qwen3-32b')).resolves.toBe(40960);
    await expect(provider.contextWindow('no-window')).resolves.toBeUndefined();
    await expect(provider.contextWindow('not-listed')).resolves.toBeUndefined();
    expect(paths).toEqual(['/v1/models', '/v1/models', '/v1/models']);
  });
});
