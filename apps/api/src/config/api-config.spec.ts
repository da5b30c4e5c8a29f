import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadApiConfig } from './api-config';
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
      adminEmails: [],
    });
    expect(config.llm.providers.map((p) => [p.id, p.baseUrl])).toEqual([
      ['ollama', 'http://127.0.0.1:11434'],
    ]);
  });

  it('parses durations, lists and blanks', () => {
    const config = loadApiConfig({
      JWT_EXPIRES_IN: '15m',
      ADMIN_EMAILS: ' Root@Example.com, ,ops@example.com',
      DATABASE_URL: '',
      PORT: '0',
    });
    expect(config.jwtExpiresInSeconds).toBe(900);
    expect(config.adminEmails).toEqual(['root@example.com', 'ops@example.com']);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(0);
  });

  it('reads the per-user chat limits and Redis (unset: 30 messages a minute, 4 streams, memory)', () => {
    expect(loadApiConfig({ CHAT_USER_RPM: '0' }).chatUserRpm).toBeUndefined();
    expect(loadApiConfig({})).toMatchObject({
      chatUserRpm: 30,
      chatUserMaxStreams: 4,
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
    expect(loadApiConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }).jwtSecret).toBe(
      'x'.repeat(32),
    );
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
