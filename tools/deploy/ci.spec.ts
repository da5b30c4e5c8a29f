/** .github/workflows/ci.yml: the test job runs `.ci/run`'s way, the images job builds what compose and k8s use. */
import { ciImages, dockerfilesInRepo } from './testing/images';
import { asArray, asRecord, loadYaml, readRepoFile, str } from './testing/repo';

describe('.github/workflows/ci.yml', () => {
  const workflow = asRecord(loadYaml('.github/workflows/ci.yml'), 'ci.yml');
  const jobs = asRecord(workflow['jobs'], 'jobs');
  const test = asRecord(jobs['test'], 'jobs.test');
  const images = asRecord(jobs['images'], 'jobs.images');
  const steps = (job: Record<string, unknown>) =>
    asArray(job['steps'], 'steps').map((s) => asRecord(s, 'step'));
  const runs = (job: Record<string, unknown>) =>
    steps(job)
      .map((s) => str(s['run'], ''))
      .join('\n');
  const uses = (job: Record<string, unknown>) => steps(job).map((s) => str(s['uses'], ''));

  it('runs on pushes and pull requests', () => {
    // YAML reads a bare `on:` key as the string "on".
    const on = asRecord(workflow['on'], 'on');
    expect(Object.keys(on).sort()).toEqual(['pull_request', 'push']);
  });

  it('tests the way .ci/run does: Node 24, PostgreSQL 16, Redis 7, Chromium from apt, then `bash .ci/run`', () => {
    const container = asRecord(test['container'], 'jobs.test.container');
    expect(String(container['image'])).toMatch(/^node:24(-|$)/);
    const services = asRecord(test['services'], 'jobs.test.services');
    expect(String(asRecord(services['postgres'], 'postgres')['image'])).toMatch(/^postgres:16(\b|$)/);
    expect(String(asRecord(services['redis'], 'redis')['image'])).toMatch(/^redis:7(\b|$)/);
    const script = runs(test);
    expect(script).toMatch(/apt-get install[^\n]*\bchromium\b/);
    expect(script).toMatch(/apt-get install[^\n]*\bnginx\b/);
    expect(script).toMatch(/kubectl/);
    expect(script).toMatch(/npm install --global npm@11/);
    expect(script.split('\n')).toContain('bash .ci/run');
    const env = asRecord(test['env'], 'jobs.test.env');
    expect(String(env['DATABASE_URL'])).toMatch(/^postgres:\/\/[^@]+@postgres:5432\//);
    expect(String(env['REDIS_URL'])).toBe('redis://redis:6379');
    expect(readRepoFile('.ci/run')).toContain('npm test');
    // …and the suite again on the machine's own Node while it is older than the baseline.
    expect(readRepoFile('.ci/run')).toMatch(/SLUICE_TEST_NODE="\$system_node" npm run test:all/);
  });

  it('builds every Dockerfile with Buildx and the GitHub Actions cache', () => {
    expect(
      ciImages()
        .map((image) => image.dockerfile)
        .sort(),
    ).toEqual(dockerfilesInRepo());
    expect(asArray(images['needs'] === undefined ? [] : [images['needs']].flat(), 'needs')).toContain('test');
    expect(uses(images)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^docker\/setup-buildx-action@v\d+$/)]),
    );
    const build = steps(images).find((s) => String(s['uses']).startsWith('docker/build-push-action@'))!;
    const withs = asRecord(build['with'], 'build with');
    expect(withs['file']).toBe('${{ matrix.dockerfile }}');
    expect(withs['context']).toBe('.');
    expect(String(withs['cache-from'])).toMatch(/^type=gha\b/);
    expect(String(withs['cache-to'])).toMatch(/^type=gha\b/);
  });

  it('pushes to GHCR, tagged with the commit SHA and main, on pushes to main only', () => {
    const push = String(asRecord(images['env'], 'jobs.images.env')['PUSH']);
    expect(push).toContain("github.event_name == 'push'");
    expect(push).toContain("github.ref == 'refs/heads/main'");
    const build = steps(images).find((s) => String(s['uses']).startsWith('docker/build-push-action@'))!;
    const withs = asRecord(build['with'], 'build with');
    expect(withs['push']).toBe("${{ env.PUSH == 'true' }}");
    const tags = String(withs['tags']).trim().split('\n');
    expect(tags).toEqual([
      '${{ steps.name.outputs.repository }}:${{ github.sha }}',
      '${{ steps.name.outputs.repository }}:main',
    ]);
    expect(runs(images)).toContain('repository=ghcr.io/${GITHUB_REPOSITORY_OWNER,,}/${{ matrix.image }}');
    const login = steps(images).find((s) => String(s['uses']).startsWith('docker/login-action@'))!;
    expect(login['if']).toBe("env.PUSH == 'true'");
    expect(asRecord(login['with'], 'login with')['registry']).toBe('ghcr.io');
    expect(asRecord(images['permissions'], 'permissions')['packages']).toBe('write');
  });
});
