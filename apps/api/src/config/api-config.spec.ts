import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@sluice/contracts';
import { loadApiConfig } from './api-config';
import { resolveJwtSecret } from './jwt-secret';

function issuesOf(env: Record<string, string>): string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadApiConfig', () => {
  it('applies the defaults', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      embeddedPostgresPort: 54_329,
      jwtSecret: undefined,
      jwtExpiresInSeconds: 900,
      dataDir: './.data',
      maxMessageChars: 32_000,
      bodyLimitBytes: 1_048_576,
      sseKeepAliveMs: 15_000,
    });
    expect(config.llm.providers.map((p) => [p.id, p.baseUrl])).toEqual([
      ['ollama', 'http://127.0.0.1:11434'],
    ]);
  });

  it('parses durations, lists and blanks', () => {
    const config = loadApiConfig({
      JWT_EXPIRES_IN: '15m',
      DATABASE_URL: '',
      PORT: '0',
    });
    expect(config.jwtExpiresInSeconds).toBe(900);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(0);
  });

  it('reads the per-user chat limits and Redis (unset: 30 messages a minute, 4 streams, memory)', () => {
    expect(
      loadApiConfig({ CHAT_USER_RPM: '0', API_USER_RPM: '0', CHAT_USER_MAX_STREAMS: '0' }),
    ).toMatchObject({
      chatUserRpm: undefined,
      apiUserRpm: undefined,
      chatUserMaxStreams: undefined,
    });
    expect(loadApiConfig({})).toMatchObject({
      chatUserRpm: 30,
      chatUserMaxStreams: 4,
      apiUserRpm: 600,
      chatUserTpm: undefined,
      redisUrl: undefined,
    });
    expect(
      loadApiConfig({ CHAT_USER_RPM: '20', CHAT_USER_TPM: '40000', REDIS_URL: 'redis://127.0.0.1:6379/0' }),
    ).toMatchObject({ chatUserRpm: 20, chatUserTpm: 40_000, redisUrl: 'redis://127.0.0.1:6379/0' });
    expect(loadApiConfig({ CHAT_USER_RPM: '' }).chatUserRpm).toBe(30);
    expect(
      issuesOf({ CHAT_USER_RPM: '-1', CHAT_USER_TPM: 'lots', REDIS_URL: 'http://x' }).map(
        (issue) => issue.split(':')[0],
      ),
    ).toEqual(expect.arrayContaining(['CHAT_USER_RPM', 'CHAT_USER_TPM', 'REDIS_URL']));
  });

  it('reads how much history goes to the model, and refuses settings that cannot hold a message', () => {
    expect(loadApiConfig({}).chatHistory).toEqual({
      defaultContextTokens: 8192,
      answerReserveTokens: 2048,
      maxRequestBytes: 1_048_576,
    });
    expect(
      loadApiConfig({
        CHAT_DEFAULT_CONTEXT_TOKENS: '32768',
        CHAT_ANSWER_RESERVE_TOKENS: '4096',
        CHAT_MAX_REQUEST_BYTES: '2000000',
      }).chatHistory,
    ).toEqual({ defaultContextTokens: 32_768, answerReserveTokens: 4096, maxRequestBytes: 2_000_000 });
    expect(issuesOf({ CHAT_DEFAULT_CONTEXT_TOKENS: '0', CHAT_MAX_REQUEST_BYTES: 'big' })).toEqual([
      'CHAT_DEFAULT_CONTEXT_TOKENS: must be > 0',
      'CHAT_MAX_REQUEST_BYTES: must be a number',
    ]);
    expect(issuesOf({ CHAT_DEFAULT_CONTEXT_TOKENS: '2048', CHAT_ANSWER_RESERVE_TOKENS: '2048' })).toEqual([
      'CHAT_ANSWER_RESERVE_TOKENS: must be less than CHAT_DEFAULT_CONTEXT_TOKENS',
    ]);
    expect(issuesOf({ MAX_MESSAGE_CHARS: '100000', CHAT_MAX_REQUEST_BYTES: '200000' })).toEqual([
      'CHAT_MAX_REQUEST_BYTES: must be at least 4 × MAX_MESSAGE_CHARS (400000)',
    ]);
  });

  it('names every bad variable, API and LLM alike, in one error', () => {
    const issues = issuesOf({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      MAX_MESSAGE_CHARS: '-1',
      JWT_EXPIRES_IN: 'soon',
      OLLAMA_BASE_URL: 'not a url',
    });
    const named = issues.map((issue) => issue.split(':')[0]);
    expect(named).toEqual(
      expect.arrayContaining([
        'PORT',
        'DATABASE_URL',
        'MAX_MESSAGE_CHARS',
        'JWT_EXPIRES_IN',
        'OLLAMA_BASE_URL',
      ]),
    );
  });

  it('requires a long JWT secret in production', () => {
    expect(issuesOf({ NODE_ENV: 'production' })).toEqual(['JWT_SECRET: required when NODE_ENV=production']);
    expect(issuesOf({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toEqual([
      'JWT_SECRET: must be at least 32 characters',
    ]);
    const secret = 'q3Jk9Xv2mPz8Lw0Rt5Yb1Nc7Hs4Gd6Fa+Ue/Ki3Oj8Wl2Zx9Cv5Bn1Mq7Ep4Ry0T';
    expect(loadApiConfig({ NODE_ENV: 'production', JWT_SECRET: secret }).jwtSecret).toBe(secret);
  });

  it('refuses placeholder and low-entropy secrets in production only', () => {
    expect(
      issuesOf({ NODE_ENV: 'production', JWT_SECRET: 'change-me-to-32-or-more-random-characters' }),
    ).toEqual([expect.stringMatching(/^JWT_SECRET: is a placeholder from the examples/)]);
    expect(issuesOf({ NODE_ENV: 'production', JWT_SECRET: 'a'.repeat(36) })).toEqual([
      expect.stringMatching(/^JWT_SECRET: looks guessable \(about 0 bits/),
    ]);
    const gateway = {
      NODE_ENV: 'production',
      JWT_SECRET: 'q3Jk9Xv2mPz8Lw0Rt5Yb1Nc7Hs4Gd6Fa+Ue/Ki3Oj8Wl2Zx9Cv5Bn1Mq7Ep4Ry0T',
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://llm:3100',
      LLM_GATEWAY_TOKEN: 'change-me-gateway-token-16-plus-characters',
    };
    expect(issuesOf(gateway)).toEqual([expect.stringMatching(/^LLM_GATEWAY_TOKEN: is a placeholder/)]);
    expect(issuesOf({ ...gateway, LLM_GATEWAY_TOKEN: 'tokentokentokentoken' })).toEqual([
      expect.stringMatching(/^LLM_GATEWAY_TOKEN: looks guessable/),
    ]);
    const development = { ...gateway, NODE_ENV: 'development', JWT_SECRET: 'a'.repeat(36) };
    expect(loadApiConfig(development).jwtSecret).toBe('a'.repeat(36));
  });

  it('refuses to boot while ADMIN_EMAILS is set, naming the command that replaced it', () => {
    expect(issuesOf({ ADMIN_EMAILS: 'root@example.com' })).toEqual([
      expect.stringMatching(/^ADMIN_EMAILS: no longer supported; .*`npm run admin -- grant EMAIL`/),
    ]);
    expect(() => loadApiConfig({ ADMIN_EMAILS: '' })).not.toThrow();
  });
});

describe('resolveJwtSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-secret-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('generates a secret once, keeps it private and reuses it', async () => {
    const dataDir = join(dir, 'data');
    const first = await resolveJwtSecret(undefined, dataDir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim()).toBe(first);
    expect(await resolveJwtSecret(undefined, dataDir)).toBe(first);
  });

  it('prefers the configured secret', async () => {
    expect(await resolveJwtSecret('configured', dir)).toBe('configured');
  });
});
