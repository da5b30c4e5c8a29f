import { createServer, type Server, type Socket } from 'node:net';
import { LlmError, type LlmProvider } from '../contract';
import { OllamaProvider } from '../adapters/ollama';
import { parseRoutingFile } from '../routing';
import { MockLlmProvider } from '../testing/mock-provider';
import { type ContextWindowPolicy, ContextWindows, type ContextWindowTarget } from './context-windows';
import { LlmRegistry } from './llm-registry';

/** A provider whose `contextWindow` answers what the test says, counting the calls per model. */
class ScriptedProvider extends MockLlmProvider {
  readonly asked: string[] = [];
  answer: (model: string) => Promise<number | undefined> = async () => 4096;

  override contextWindow(model: string): Promise<number | undefined> {
    this.asked.push(model);
    return this.answer(model);
  }
}

const POLICY: ContextWindowPolicy = { ttlMs: 60_000, unknownTtlMs: 5_000, maxEntries: 100, deadlineMs: 200 };

describe('ContextWindows', () => {
  let clock: number;
  let provider: ScriptedProvider;
  let windows: ContextWindows;
  const target = (model: string) => async (): Promise<ContextWindowTarget> => ({ provider, model });

  beforeEach(() => {
    clock = 0;
    provider = new ScriptedProvider({ id: 'scripted' });
    windows = new ContextWindows(POLICY, () => clock);
  });

  it('asks the upstream once per model, then answers from memory until it is stale', async () => {
    await expect(windows.lookup(target('a'))).resolves.toBe(4096);
    await expect(windows.lookup(target('a'))).resolves.toBe(4096);
    await expect(windows.lookup(target('b'))).resolves.toBe(4096);
    expect(provider.asked).toEqual(['a', 'b']);
    clock += POLICY.ttlMs + 1;
    provider.answer = async () => 8192;
    await expect(windows.lookup(target('a'))).resolves.toBe(8192);
    expect(provider.asked).toEqual(['a', 'b', 'a']);
  });

  it('answers a failure as unknown, remembers it briefly, then asks again', async () => {
    provider.answer = async () => {
      throw new LlmError('unavailable', 'cannot reach scripted');
    };
    await expect(windows.lookup(target('a'))).resolves.toBeUndefined();
    await expect(windows.lookup(target('a'))).resolves.toBeUndefined();
    expect(provider.asked).toEqual(['a']);
    clock += POLICY.unknownTtlMs + 1;
    provider.answer = async () => 32768;
    await expect(windows.lookup(target('a'))).resolves.toBe(32768);
    expect(provider.asked).toEqual(['a', 'a']);
  });

  it('treats a provider that throws instead of rejecting like one that fails', async () => {
    provider.answer = () => {
      throw new Error('not a promise');
    };
    await expect(windows.lookup(target('a'))).resolves.toBeUndefined();
    clock += POLICY.unknownTtlMs + 1;
    provider.answer = async () => 2048;
    await expect(windows.lookup(target('a'))).resolves.toBe(2048);
  });

  it('gives up on an upstream that never answers at the deadline, and does not wait on it again', async () => {
    provider.answer = () => new Promise(() => undefined); // ignores its signal too
    const started = performance.now();
    await expect(windows.lookup(target('a'))).resolves.toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(POLICY.deadlineMs - 20);
    expect(performance.now() - started).toBeLessThan(POLICY.deadlineMs + 150);
    const again = performance.now();
    await expect(windows.lookup(target('a'))).resolves.toBeUndefined();
    expect(performance.now() - again).toBeLessThan(20);
    expect(provider.asked).toEqual(['a']);
  });

  it('counts the resolution of the reference against the same deadline', async () => {
    const started = performance.now();
    const hanging = () => new Promise<ContextWindowTarget>(() => undefined);
    await expect(windows.lookup(hanging)).resolves.toBeUndefined();
    expect(performance.now() - started).toBeLessThan(POLICY.deadlineMs + 150);
    await expect(
      windows.lookup(async () => {
        throw new LlmError('model_not_found', 'no default model');
      }),
    ).resolves.toBeUndefined();
  });

  it('stops waiting when the caller aborts', async () => {
    provider.answer = () => new Promise(() => undefined);
    const controller = new AbortController();
    const lookup = windows.lookup(target('a'), { signal: controller.signal });
    controller.abort();
    await expect(lookup).resolves.toBeUndefined();
  });

  it('shares one upstream request between lookups of the same model at the same time', async () => {
    let answer!: (window: number) => void;
    provider.answer = () => new Promise((resolve) => (answer = resolve));
    const lookups = [windows.lookup(target('a')), windows.lookup(target('a')), windows.lookup(target('a'))];
    await new Promise((resolve) => setImmediate(resolve));
    answer(2048);
    await expect(Promise.all(lookups)).resolves.toEqual([2048, 2048, 2048]);
    expect(provider.asked).toEqual(['a']);
  });

  it('remembers at most maxEntries models, forgetting the oldest first', async () => {
    const small = new ContextWindows({ ...POLICY, maxEntries: 2 }, () => clock);
    for (const model of ['a', 'b', 'c']) await small.lookup(target(model));
    await small.lookup(target('c'));
    await small.lookup(target('b'));
    expect(provider.asked).toEqual(['a', 'b', 'c']);
    await small.lookup(target('a'));
    expect(provider.asked).toEqual(['a', 'b', 'c', 'a']);
  });

  it('keeps providers apart: the same model name on two upstreams is two entries', async () => {
    const other = new ScriptedProvider({ id: 'other' });
    other.answer = async () => 1024;
    await expect(windows.lookup(target('m'))).resolves.toBe(4096);
    await expect(windows.lookup(async () => ({ provider: other, model: 'm' }))).resolves.toBe(1024);
  });

  it('answers unknown for a provider written before the method existed', async () => {
    const mock = new MockLlmProvider({ id: 'legacy', contextWindow: 4096 });
    const legacy: LlmProvider = {
      specificationVersion: mock.specificationVersion,
      id: mock.id,
      kind: mock.kind,
      baseUrl: mock.baseUrl,
      chat: (options) => mock.chat(options),
      stream: (options) => mock.stream(options),
      embed: (options) => mock.embed(options),
      listModels: () => mock.listModels(),
      health: () => mock.health(),
    };
    await expect(windows.lookup(async () => ({ provider: legacy, model: 'x' }))).resolves.toBeUndefined();
  });
});

describe('LlmRegistry.contextWindow', () => {
  const ollama = new MockLlmProvider({ id: 'ollama', models: ['llama3.2:latest'], contextWindow: 131072 });
  const vllm = new MockLlmProvider({ id: 'vllm', kind: 'vllm', contextWindow: 8192 });
  const registry = new LlmRegistry([ollama, vllm], {
    defaultProvider: 'ollama',
    routing: parseRoutingFile('models:\n  chat:\n    - vllm/big\n    - ollama/llama3.2:latest\n', [
      'ollama',
      'vllm',
    ]),
  });

  it("asks the provider a reference resolves to: an alias's first target, a prefix, the default", async () => {
    await expect(registry.contextWindow('chat')).resolves.toBe(8192);
    await expect(registry.contextWindow('vllm/meta-llama/Llama-3.1-8B-Instruct')).resolves.toBe(8192);
    await expect(registry.contextWindow('llama3.2:latest')).resolves.toBe(131072);
    await expect(registry.contextWindow()).resolves.toBe(131072);
  });

  it('answers unknown, never rejects, when the provider fails', async () => {
    const down = new MockLlmProvider({ id: 'down', failWith: new LlmError('unavailable', 'down') });
    const failing = new LlmRegistry([down], { defaultProvider: 'down' });
    await expect(failing.contextWindow('m')).resolves.toBeUndefined();
    await expect(failing.contextWindow()).resolves.toBeUndefined();
  });

  describe('an Ollama that accepts connections and never answers (real socket)', () => {
    let hung: Server;
    const sockets = new Set<Socket>();
    let closed = 0;
    beforeAll(async () => {
      hung = createServer((socket) => {
        socket.resume(); // reads (and drops) the request, so the client's close is seen
        sockets.add(socket);
        socket.on('close', () => {
          sockets.delete(socket);
          closed++;
        });
      });
      await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => hung.close(resolve));
    });

    it('is answered as unknown within about a second, and its request is closed', async () => {
      const url = `http://127.0.0.1:${(hung.address() as { port: number }).port}`;
      const stuck = new LlmRegistry([new OllamaProvider({ id: 'ollama', baseUrl: url })], {
        defaultProvider: 'ollama',
      });
      const started = performance.now();
      await expect(stuck.contextWindow('llama3.2:latest')).resolves.toBeUndefined();
      expect(performance.now() - started).toBeLessThan(1_300);
      const deadline = Date.now() + 1_000;
      while (closed === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(closed).toBe(1);
    });
  });
});
