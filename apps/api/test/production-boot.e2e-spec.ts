import { join } from 'node:path';
import { buildApi, BUILD_TIMEOUT_MS, type BuiltApi, runNode } from './support/built-api';

describe('production boot (the compiled API, as the image runs it)', () => {
  let built: BuiltApi;
  beforeAll(async () => {
    built = await buildApi();
  }, BUILD_TIMEOUT_MS);
  afterAll(() => built?.remove());

  it.each([
    [
      'the .env.example placeholder',
      'change-me-to-32-or-more-random-characters',
      /JWT_SECRET: is a placeholder/,
    ],
    ['36 × "a"', 'a'.repeat(36), /JWT_SECRET: looks guessable/],
  ])('exits non-zero with %s as JWT_SECRET, naming the variable', async (_, secret, why) => {
    const result = await runNode(join(built.srcDir, 'main.js'), [], {
      NODE_ENV: 'production',
      JWT_SECRET: secret,
      DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
      PORT: '0',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(why);
  });
});
