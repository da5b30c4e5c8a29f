/**
 * The Dockerfiles, .dockerignore and the web image's nginx configuration, read statically against the
 * code: build commands, ports, users, layer order. (images.slow.spec.ts builds and runs them.)
 */
import { readFileSync } from 'node:fs';
import { APP_ENV, defaultPort } from './testing/app-env';
import { type Instruction } from './testing/dockerfile';
import { DockerIgnore } from './testing/dockerignore';
import { dockerfilesInRepo, imageInfoFor, imageInfos } from './testing/images';
import { effective, find, parseNginx } from './testing/nginx-conf';
import { listFiles, readRepoFile, repoPath } from './testing/repo';

/** Every `libs/<name>/package.json`: the workspaces `npm ci` needs before any source. */
const workspaceManifests = listFiles('libs', (file) => /^libs\/[^/]+\/package\.json$/.test(file));

function projectBuildCommand(app: string): string {
  const project = JSON.parse(readRepoFile(`apps/${app}/project.json`)) as {
    targets: { build: { command: string } };
  };
  return project.targets.build.command;
}

function stageRuns(instructions: Instruction[]): Instruction[] {
  return instructions.filter((instruction) => instruction.keyword === 'RUN');
}

describe('Dockerfiles', () => {
  const images = imageInfos();

  it('are the ones CI builds: one per app image, every docker/*.Dockerfile', () => {
    expect(images.map((image) => image.dockerfile).sort()).toEqual(dockerfilesInRepo());
    expect(images.map((image) => image.app).sort()).toEqual(['api', 'llm', 'web']);
  });

  it.each(['api', 'llm', 'web'] as const)('%s: base images are pinned by tag', (app) => {
    const { file, meta } = imageInfoFor(app);
    for (const { image, line } of meta.externalImages) {
      const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1];
      if (tag === undefined || tag === 'latest')
        throw new Error(`${file.file}:${line}: FROM ${image} is not pinned by a tag`);
    }
    expect(meta.externalImages.length).toBeGreaterThan(0);
  });

  it.each(['api', 'llm', 'web'] as const)('%s: runs as a non-root user, with a HEALTHCHECK', (app) => {
    const { meta, file } = imageInfoFor(app);
    const uid = (meta.user ?? '').split(':')[0];
    expect(`${file.file} USER ${uid}`).not.toMatch(/USER (root|0)?$/);
    expect(meta.healthcheck).toBeDefined();
    expect(meta.expose).toHaveLength(1);
  });

  it.each(['api', 'llm'] as const)(
    '%s: installs from the manifests first, builds with the project command, prunes to production',
    (app) => {
      const { file, meta } = imageInfoFor(app);
      // Each stage that runs `npm ci` copies only manifests before it (sources after, in a later stage).
      const ciStages = file.stages.filter((stage) =>
        stageRuns(stage.instructions).some((run) => /\bnpm ci\b/.test(run.args)),
      );
      expect(ciStages.map((stage) => stage.name)).toEqual(['deps', 'prod-deps']);
      for (const stage of ciStages) {
        const ciIndex = stage.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
        const copied = stage.instructions
          .slice(0, ciIndex)
          .filter((i) => i.keyword === 'COPY')
          .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
        for (const source of copied) {
          if (!/(^|\/)package(-lock)?\.json$/.test(source) && source !== 'docker/prune-dev-optional.mjs')
            throw new Error(
              `${file.file}:${stage.name}: COPY ${source} before npm ci invalidates the install layer`,
            );
        }
        for (const manifest of ['package.json', 'package-lock.json', ...workspaceManifests]) {
          const covered = stage.instructions
            .slice(0, ciIndex)
            .some(
              (i) =>
                i.keyword === 'COPY' &&
                (i.args.split(/\s+/).includes(manifest) || i.args.startsWith(`${manifest} `)),
            );
          if (!covered)
            throw new Error(`${file.file}: stage ${stage.name} does not copy ${manifest} before npm ci`);
        }
        const ci = stage.instructions[ciIndex]!;
        expect(ci.args).toContain('--strict-allow-scripts');
        if (stage.name === 'prod-deps') {
          expect(ci.args).toContain('--omit=dev');
          expect(ci.args).toContain('node docker/prune-dev-optional.mjs');
        } else {
          expect(ci.args).not.toContain('--omit');
        }
      }
      // The build is the project's own command (apps/<app>/project.json), through npx.
      const build = file.stages.find((stage) => stage.name === 'build')!;
      const runs = stageRuns(build.instructions).map((run) =>
        run.args.replace(/\bnpx (--no-install )?/g, ''),
      );
      expect(runs).toContain(projectBuildCommand(app));
      // The runtime starts the compiled main.js that the build writes (dist/apps/<app>/apps/<app>/src);
      // the gateway with a larger young generation (the benchmark starts it with the same flags).
      expect(meta.cmd).toEqual([
        'node',
        '--enable-source-maps',
        ...(app === 'llm' ? ['--max-semi-space-size=64'] : []),
        `dist/apps/${app}/apps/${app}/src/main.js`,
      ]);
    },
  );

  it.each(['api', 'llm'] as const)("%s: listens where the app's configuration and EXPOSE say", (app) => {
    const { meta } = imageInfoFor(app);
    expect(meta.env['HOST']).toBe('0.0.0.0');
    expect(Number(meta.env['PORT'])).toBe(meta.expose[0]);
    expect(meta.expose[0]).toBe(defaultPort(app));
    for (const key of Object.keys(meta.env))
      expect(`${app} ENV ${key}: ${APP_ENV[app].has(key)}`).toBe(`${app} ENV ${key}: true`);
  });

  it('web: builds with the project command; nginx listens on EXPOSE and proxies to the API port', () => {
    const web = imageInfoFor('web');
    const build = web.file.stages.find((stage) => stage.name === 'build')!;
    const command = JSON.parse(readRepoFile('apps/web/project.json')) as {
      targets: { build: { command: string } };
    };
    expect(
      stageRuns(build.instructions)
        .map((run) => run.args.replace(/\bnpx /g, ''))
        .join('\n'),
    ).toContain(command.targets.build.command);
    expect(Number(web.meta.env['NGINX_LISTEN_PORT'])).toBe(web.meta.expose[0]);
    const [, apiPort] = (web.meta.env['API_UPSTREAM'] ?? '').split(':');
    expect(Number(apiPort)).toBe(imageInfoFor('api').meta.expose[0]);
    // Every variable the template uses has a default in the image.
    const template = readRepoFile('docker/nginx/default.conf.template');
    const used = [...template.matchAll(/\$\{([A-Z_][A-Z0-9_]*)\}/g)].map((m) => m[1]!);
    expect(new Set(used)).toEqual(new Set(['API_UPSTREAM', 'NGINX_LISTEN_HOST', 'NGINX_LISTEN_PORT']));
    for (const name of used) expect(web.meta.env[name]).toBeDefined();
  });
});

describe('.dockerignore', () => {
  const ignore = DockerIgnore.read(repoPath('.dockerignore'));

  it('keeps secrets, git, dependencies, build output and tests out of the build context', () => {
    for (const path of [
      '.env',
      '.git/config',
      'node_modules/zod/package.json',
      'apps/web/node_modules/x',
      'dist/apps/api/main.js',
      '.data/jwt-secret',
      'apps/api/test/support/test-app.ts',
      'apps/web/e2e/chat.e2e-spec.ts',
      'libs/llm-provider/src/registry/llm-config.spec.ts',
      'bench/run.mjs',
    ]) {
      expect(`${path}: ${ignore.excludes(path)}`).toBe(`${path}: true`);
    }
  });

  it('lets in what the Dockerfiles copy', () => {
    for (const path of [
      'package.json',
      'package-lock.json',
      'tsconfig.base.json',
      ...workspaceManifests,
      'libs/llm-provider/src/index.ts',
      'apps/api/src/main.ts',
      'apps/api/tsconfig.app.json',
      'apps/llm/src/main.ts',
      'apps/web/index.html',
      'apps/web/src/main.tsx',
      'docker/nginx/nginx.conf',
      'docker/prune-dev-optional.mjs',
    ]) {
      expect(`${path}: ${ignore.excludes(path)}`).toBe(`${path}: false`);
    }
  });
});

describe('the web image: nginx configuration', () => {
  const config = parseNginx(readFileSync(repoPath('docker/nginx/default.conf.template'), 'utf8'));
  const server = find(config, 'server')[0]!.block!;
  const locations = find(server, 'location').map((location) => ({
    path: location.args[location.args.length - 1]!,
    block: location.block!,
  }));
  const proxied = locations.filter((location) => find(location.block, 'proxy_pass').length > 0);
  const staticOnes = locations.filter((location) => find(location.block, 'proxy_pass').length === 0);

  it('proxies /api and /health to the API upstream', () => {
    expect(proxied.map((location) => location.path).sort()).toEqual(['/api/', '/health/']);
    const upstream = find(config, 'upstream')[0]!;
    for (const location of proxied) {
      expect(find(location.block, 'proxy_pass')[0]!.args).toEqual([`http://${upstream.args[0]}`]);
    }
    expect(find(upstream.block!, 'server')[0]!.args).toEqual(['${API_UPSTREAM}']);
  });

  it('passes server-sent events through: no buffering, no cache, HTTP/1.1, no Connection header, long reads', () => {
    for (const location of proxied) {
      const value = (name: string) => effective(server, location.block, name).map((args) => args.join(' '));
      expect(value('proxy_buffering')).toEqual(['off']);
      expect(value('proxy_cache')).toEqual(['off']);
      expect(value('proxy_http_version')).toEqual(['1.1']);
      expect(value('proxy_set_header')).toContain('Connection ');
      const timeout = value('proxy_read_timeout')[0] ?? '60s';
      expect(/^(\d+)h$/.test(timeout) || Number.parseInt(timeout, 10) >= 600).toBe(true);
      expect(value('gzip')).toEqual(['off']);
    }
  });

  it('compresses static files only', () => {
    expect(staticOnes.map((location) => location.path).sort()).toEqual(['/', '/assets/']);
    for (const location of staticOnes) expect(effective(server, location.block, 'gzip')).toEqual([['on']]);
    expect(find(server, 'gzip_types')[0]!.args).toEqual(
      expect.arrayContaining(['application/javascript', 'text/css']),
    );
  });
});
