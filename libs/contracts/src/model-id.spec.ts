import { MODEL_ID_MAX_LENGTH, modelIdSchema } from './model-id';

const problem = (value: unknown) => modelIdSchema.safeParse(value).error?.issues[0]?.message;

describe('modelIdSchema', () => {
  it('takes the ids people use, trimmed', () => {
    for (const id of [
      'llama3.2',
      'llama3.2:latest',
      'ollama/llama3.2:latest',
      'vllm/meta-llama/Llama-3.1-8B-Instruct',
      'ollama:qwen3:8b',
      'gpt-4o-mini-2024-07-18',
      'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M',
      '!~',
      'x'.repeat(MODEL_ID_MAX_LENGTH),
    ]) {
      expect(modelIdSchema.parse(id)).toBe(id);
    }
    expect(modelIdSchema.parse('  llama3.2 \n')).toBe('llama3.2');
  });

  it('refuses what does not belong in a header, a log line or a metric label', () => {
    expect(problem('')).toBe('must not be blank');
    expect(problem('   ')).toBe('must not be blank');
    expect(problem('x'.repeat(MODEL_ID_MAX_LENGTH + 1))).toBe(
      `must be at most ${MODEL_ID_MAX_LENGTH} characters`,
    );
    for (const id of [
      'llama\r\nx-injected: 1',
      'llama\u0000',
      'llama 3',
      'llama\t3',
      'llama🦙',
      'modèle',
      'a\u007f',
    ]) {
      expect([id, problem(id)]).toEqual([id, expect.stringContaining('printable ASCII')]);
    }
    expect(modelIdSchema.safeParse(42).success).toBe(false);
  });
});
