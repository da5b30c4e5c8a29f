/**
 * The small interpreters the deploy checks rely on (Dockerfile parser, .dockerignore matcher,
 * nginx template rendering), checked on their own so a failure in the image checks points at the
 * images, not at the checks.
 */
import { durationMs, envsubst } from './testing/container';
import { parseDockerfile, parseKeyValues, substitute, words } from './testing/dockerfile';
import { DockerIgnore } from './testing/dockerignore';

describe('Dockerfile parser', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    '# a comment',
    'ARG IMAGE=node:24-bookworm-slim',
    'FROM ${IMAGE} AS Base',
    'RUN --mount=type=cache,target=/root/.npm npm ci \\',
    '  # a comment inside a continuation',
    '  --omit=dev',
    'FROM base',
    'COPY --from=base /app/node_modules ./node_modules',
    'HEALTHCHECK --interval=15s CMD ["node", "-e", "1"]',
    'CMD ["node", "main.js"]',
  ].join('\n');

  it('reads directives, global ARGs, stages, flags and continuations', () => {
    const file = parseDockerfile(text, 'x.Dockerfile');
    expect(file.directives).toEqual({ syntax: 'docker/dockerfile:1' });
    expect(file.globalArgs.map((arg) => arg.args)).toEqual(['IMAGE=node:24-bookworm-slim']);
    expect(file.stages.map((stage) => [stage.name, stage.from])).toEqual([
      ['base', '${IMAGE}'],
      [undefined, 'base'],
    ]);
    const run = file.stages[0]!.instructions[0]!;
    expect(run.flags).toEqual([{ name: 'mount', value: 'type=cache,target=/root/.npm' }]);
    expect(run.args.replace(/\s+/g, ' ')).toBe('npm ci --omit=dev');
    expect(run.line).toBe(5);
    expect(file.stages[1]!.instructions.map((i) => i.keyword)).toEqual(['COPY', 'HEALTHCHECK', 'CMD']);
  });

  it('refuses what it cannot carry out, naming the line', () => {
    expect(() => parseDockerfile('FROM a\nADD x y\n', 'f')).toThrow('f:2: ADD is not supported');
    expect(() => parseDockerfile('FROM a\nFROBNICATE\n', 'f')).toThrow('f:2: unknown instruction FROBNICATE');
    expect(() => parseDockerfile('FROM a\nCOPY --exclude=x a b\n', 'f')).toThrow(
      'COPY --exclude is not supported',
    );
    expect(() => parseDockerfile('FROM a\nRUN <<EOF\nx\nEOF\n', 'f')).toThrow('heredocs');
  });

  it("substitutes variables as Docker's word processing does", () => {
    const vars = { A: 'one', EMPTY: '' };
    expect(substitute('$A-${A}-${B:-two}-${A:+set}-${EMPTY:-dflt}-\\$A', vars)).toBe(
      'one-one-two-set-dflt-$A',
    );
    expect(words('a "b c" d\\ e')).toEqual(['a', 'b c', 'd e']);
    expect(parseKeyValues('X=1 Y="$X 2"', {})).toEqual([
      ['X', '1'],
      ['Y', '1 2'],
    ]);
    expect(parseKeyValues('LEGACY some value', {})).toEqual([['LEGACY', 'some value']]);
  });
});

describe('.dockerignore matcher', () => {
  const ignore = DockerIgnore.parse(
    ['*', '!apps/api', '!libs/*/src', '**/node_modules', 'apps/*/test'].join('\n'),
  );

  it('applies the last matching pattern to a path or its parents', () => {
    expect(ignore.excludes('package.json')).toBe(true);
    expect(ignore.excludes('apps/api/src/main.ts')).toBe(false);
    expect(ignore.excludes('apps/api/test/x.ts')).toBe(true);
    expect(ignore.excludes('apps/api/node_modules/x/index.js')).toBe(true);
    expect(ignore.excludes('libs/contracts/src/index.ts')).toBe(false);
    expect(ignore.excludes('libs/contracts/jest.config.js')).toBe(true);
  });

  it('knows which excluded folders can still hold included files', () => {
    expect(ignore.mayIncludeBelow('libs')).toBe(true);
    expect(ignore.mayIncludeBelow('libs/contracts')).toBe(true);
    expect(ignore.mayIncludeBelow('node_modules')).toBe(false);
    expect(ignore.mayIncludeBelow('.git')).toBe(false);
  });
});

describe('nginx image stand-ins', () => {
  it("renders templates like the image's envsubst: set variables only", () => {
    expect(
      envsubst('server ${API_UPSTREAM}; $host ${UNSET} $API_UPSTREAM', { API_UPSTREAM: 'api:3000' }),
    ).toBe('server api:3000; $host ${UNSET} api:3000');
  });

  it("reads Docker's durations", () => {
    expect(durationMs('15s')).toBe(15_000);
    expect(durationMs('1m30s')).toBe(90_000);
    expect(() => durationMs('soon')).toThrow('not a duration');
  });
});
