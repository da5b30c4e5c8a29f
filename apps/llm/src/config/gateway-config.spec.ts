import { ConfigError } from '@sluice/contracts';
import { loadGatewayConfig } from './gateway-config';

const TOKEN = 'a-gateway-token-of-32-characters';

function problems(env: Record<string, string>): string {
  try {
    loadGatewayConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('loadGatewayConfig', () => {
  it('applies the documented defaults', () => {
    const config = loadGatewayConfig({ LLM_GATEWAY_TOKEN: TOKEN });
    expect(config).toMatchObject({
      port: 3100,
      host: '127.0.0.1',
      tokens: [TOKEN],
      allowNoAuth: false,
      logLevel: 'info',
      logPrompts: false,
      bodyLimitBytes: 4 * 1024 * 1024,
      keepAliveMs: 15_000,
    });
    expect(config.llm).toMatchObject({ mode: 'inprocess', defaultProvider: 'ollama' });
  });

  it('accepts several tokens for a rotation, from both variables', () => {
    const other = 'the-next-token-after-rotation';
    const config = loadGatewayConfig({
      LLM_GATEWAY_TOKENS: ` ${TOKEN}, ${other} ,`,
      LLM_GATEWAY_TOKEN: TOKEN,
    });
    expect(config.tokens).toEqual([TOKEN, other]);
  });

  it('requires a token unless authentication is explicitly off outside production', () => {
    expect(problems({})).toMatch(/LLM_GATEWAY_TOKENS: at least one token is required/);
    expect(loadGatewayConfig({ LLM_GATEWAY_ALLOW_NO_AUTH: 'true' })).toMatchObject({
      tokens: [],
      allowNoAuth: true,
    });
    expect(problems({ LLM_GATEWAY_ALLOW_NO_AUTH: 'true', NODE_ENV: 'production' })).toContain(
      'LLM_GATEWAY_ALLOW_NO_AUTH: not allowed when NODE_ENV=production',
    );
  });

  it('refuses placeholder and low-entropy tokens in production, naming the variable once', () => {
    const placeholder = 'change-me-gateway-token-16-plus-characters';
    const message = problems({ NODE_ENV: 'production', LLM_GATEWAY_TOKEN: placeholder });
    expect(message).toContain('LLM_GATEWAY_TOKEN: is a placeholder from the examples');
    expect(message.match(/^ {2}- LLM_GATEWAY_TOKEN:/gm)).toHaveLength(1);
    expect(problems({ NODE_ENV: 'production', LLM_GATEWAY_TOKENS: `${TOKEN},${'ab'.repeat(10)}` })).toContain(
      'LLM_GATEWAY_TOKENS: looks guessable',
    );
    const random = '9f2c4e7a1b3d5f8e0c6a2b4d7e9f1a3c';
    expect(loadGatewayConfig({ NODE_ENV: 'production', LLM_GATEWAY_TOKEN: random }).tokens).toEqual([random]);
    expect(loadGatewayConfig({ LLM_GATEWAY_TOKEN: placeholder }).tokens).toEqual([placeholder]);
  });

  it('refuses short tokens, naming the variable once', () => {
    const message = problems({ LLM_GATEWAY_TOKEN: 'short', LLM_GATEWAY_TOKENS: `${TOKEN},tiny` });
    expect(message).toContain('LLM_GATEWAY_TOKEN: every token must be at least 16 characters');
    expect(message).toContain('LLM_GATEWAY_TOKENS.1: every token must be at least 16 characters');
    expect(message.match(/^ {2}- LLM_GATEWAY_TOKEN:/gm)).toHaveLength(1);
  });

  it('refuses gateway mode: the gateway would call itself', () => {
    const message = problems({
      LLM_GATEWAY_TOKEN: TOKEN,
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://127.0.0.1:3100',
    });
    expect(message).toMatch(/LLM_MODE: must be inprocess .* point the gateway at itself/);
  });

  it("reports the gateway's and the LLM module's problems in one message", () => {
    const message = problems({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      BODY_LIMIT_BYTES: '-1',
      LLM_LOG_PROMPTS: 'maybe',
      LLM_PROVIDER: 'vllm',
      OLLAMA_BASE_URL: 'not a url',
    });
    for (const variable of [
      'PORT',
      'LOG_LEVEL',
      'BODY_LIMIT_BYTES',
      'LLM_LOG_PROMPTS: LLM_LOG_PROMPTS must be true or false',
      'VLLM_BASE_URL: required when LLM_PROVIDER=vllm',
      'OLLAMA_BASE_URL',
      'LLM_GATEWAY_TOKENS',
    ]) {
      expect(message).toContain(`  - ${variable}`);
    }
  });

  it('reads rate limits: none by default, in memory unless REDIS_URL is set', () => {
    expect(loadGatewayConfig({ LLM_GATEWAY_TOKEN: TOKEN }).rateLimits).toEqual({
      user: {},
      caller: {},
      redisPrefix: 'sluice:ratelimit:',
    });
    const config = loadGatewayConfig({
      LLM_GATEWAY_TOKEN: TOKEN,
      LLM_USER_RPM: '20',
      LLM_USER_TPM: '40000',
      LLM_CALLER_RPM: '600',
      LLM_CALLER_TPM: '',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
    });
    expect(config.rateLimits).toEqual({
      user: { requestsPerMinute: 20, tokensPerMinute: 40_000 },
      caller: { requestsPerMinute: 600 },
      redisUrl: 'redis://127.0.0.1:6379/0',
      redisPrefix: 'sluice:ratelimit:',
    });
  });

  it('refuses limits that are not positive integers and a REDIS_URL that is not redis://', () => {
    const message = problems({
      LLM_GATEWAY_TOKEN: TOKEN,
      LLM_USER_RPM: '0',
      LLM_USER_TPM: 'lots',
      LLM_CALLER_RPM: '1.5',
      LLM_CALLER_TPM: '-3',
      REDIS_URL: 'http://127.0.0.1:6379',
    });
    for (const variable of ['LLM_USER_RPM', 'LLM_USER_TPM', 'LLM_CALLER_RPM', 'LLM_CALLER_TPM']) {
      expect(message).toContain(`  - ${variable}: `);
    }
    expect(message).toContain('  - REDIS_URL: must be a redis:// URL');
  });
});
