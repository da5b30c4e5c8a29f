/**
 * Fake upstream LLM servers for tests (Ollama, OpenAI, vLLM), each speaking its server's exact wire
 * format over a real socket on 127.0.0.1, driven by `FakeScript`s.
 *
 * - Scripts are consumed FIFO by model calls that pass the server's own checks (auth, body, model);
 *   a request refused before that (401, 404 model, 400) does not consume one.
 * - `malformedAfterTokens` writes one record that is not JSON and the stream then carries on.
 * - Non-streamed calls honour the delays as one wait, `errorAfterTokens` (a 500 in the server's shape),
 *   `cutAfterTokens` (half the body, then the connection closes) and `malformedAfterTokens` (half the body).
 */
export * from './fake-script';
export type { FakeUpstream } from './fake-server';
export type { FakeOpenAIStyle } from './fake-openai-base';
export {
  startFakeOllama,
  DEFAULT_OLLAMA_MODELS,
  FAKE_OLLAMA_VERSION,
  type FakeOllama,
  type FakeOllamaOptions,
} from './fake-ollama';
export {
  startFakeOpenAI,
  DEFAULT_OPENAI_MODELS,
  type FakeOpenAI,
  type FakeOpenAIOptions,
} from './fake-openai';
export {
  startFakeVllm,
  DEFAULT_VLLM_MODELS,
  type FakeVllm,
  type FakeVllmMetrics,
  type FakeVllmOptions,
} from './fake-vllm';
export { fakeEmbedding, float32Base64 } from './fake-util';
export * from './mock-provider';
