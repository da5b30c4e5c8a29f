import { z } from 'zod';
import { ConfigError } from './config-error';
import { envConfig, fromEnv, loadConfig, withoutBlanks } from './env-config';

const port = z.coerce.number({ error: 'must be a number' }).int().min(1).max(65_535);

const schema = envConfig(
  {
    port: fromEnv('PORT', port.default(3000)),
    limits: { perMinute: fromEnv('PER_MINUTE', port.optional()), burst: fromEnv('BURST', port.default(5)) },
  },
  (config, issue) => {
    if (config.limits.perMinute !== undefined && config.limits.burst > config.limits.perMinute) {
      issue('BURST', 'must not exceed PER_MINUTE');
    }
  },
);

function issuesOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('envConfig', () => {
  it('reads each setting from its variable into the shape, with defaults', () => {
    const config: { port: number; limits: { perMinute: number | undefined; burst: number } } = loadConfig(
      { PER_MINUTE: '60', UNRELATED: 'x' },
      (read) => read(schema),
    );
    expect(config).toEqual({ port: 3000, limits: { perMinute: 60, burst: 5 } });
  });

  it('names the variable in every problem, the cross-setting ones too', () => {
    expect(issuesOf(() => loadConfig({ PORT: 'eighty' }, (read) => read(schema)))).toEqual([
      'PORT: must be a number',
    ]);
    expect(issuesOf(() => loadConfig({ PER_MINUTE: '2', BURST: '3' }, (read) => read(schema)))).toEqual([
      'BURST: must not exceed PER_MINUTE',
    ]);
  });
});

describe('loadConfig', () => {
  it('treats a blank variable as unset', () => {
    expect(withoutBlanks({ A: '', B: '  ', C: ' x ' })).toEqual({ A: undefined, B: undefined, C: ' x ' });
    expect(loadConfig({ PORT: ' ' }, (read) => read(schema)).port).toBe(3000);
  });

  it('reports the problems of every schema read, and a ConfigError a transform throws, in one error', () => {
    const file = z.object({ FILE: z.string() }).transform(({ FILE }) => {
      throw new ConfigError([`FILE: cannot read ${FILE}`]);
    });
    const error = (() => {
      try {
        loadConfig({ PORT: '0', FILE: 'x.yaml' }, (read) => ({ ...read(schema), file: read(file) }));
      } catch (thrown) {
        return thrown as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toMatchObject({ code: 'invalid_configuration' });
    expect(error.issues).toEqual([expect.stringMatching(/^PORT: /), 'FILE: cannot read x.yaml']);
    expect(error.message).toBe(
      `Invalid configuration:\n  - ${error.issues[0]}\n  - FILE: cannot read x.yaml`,
    );
  });
});
