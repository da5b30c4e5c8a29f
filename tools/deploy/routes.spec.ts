/**
 * Every health path the deployment files probe is a real route: the API and the gateway are booted
 * in-process with their own test helpers (the API on a real PostgreSQL: DATABASE_URL or the embedded
 * one), vLLM's paths are asked of the library's fake vLLM, which serves vLLM's routes; each path must
 * answer 200.
 */
import { type FakeOllama, type FakeVllm, startFakeOllama, startFakeVllm } from '@sluice/llm-provider/testing';
// The apps' own boot helpers (test-time only).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startTestApp, type TestApp } from '../../apps/api/test/support/test-app';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startGateway, type TestGateway } from '../../apps/llm/test/support/gateway';
import { type ComposeService, imageName, loadCompose, readEnvFile } from './testing/compose';
import { healthcheckPath, IMAGE_APPS, imageInfos } from './testing/images';
import { Rendered } from './testing/k8s';
import { asRecord, isRecord, str } from './testing/repo';

type Target = 'api' | 'llm' | 'vllm';

/** Every probed path, with who probes it. */
function probedPaths(): { target: Target; path: string; where: string }[] {
  const out: { target: Target; path: string; where: string }[] = [];
  for (const image of imageInfos()) {
    if (image.app === 'web' || !image.meta.healthcheck) continue;
    out.push({
      target: image.app,
      path: healthcheckPath(image.meta.healthcheck),
      where: `${image.dockerfile} HEALTHCHECK`,
    });
  }
  for (const overlay of ['stage1', 'stage2']) {
    const rendered = Rendered.render(`deploy/k8s/overlays/${overlay}`);
    for (const workload of rendered.workloads()) {
      for (const container of workload.containers) {
        const target: Target | undefined =
          container.app === 'api' || container.app === 'llm'
            ? container.app
            : container.image.startsWith('vllm/')
              ? 'vllm'
              : undefined;
        if (target === undefined) throw new Error(`${overlay}: no stand-in to probe ${container.image}`);
        for (const probe of container.probes) {
          out.push({ target, path: probe.path, where: `${overlay} ${workload.object.name} ${probe.kind}` });
        }
      }
      const annotations = asRecord(asRecord(workload.object.raw['spec'], 'spec')['template'], 'template')[
        'metadata'
      ];
      const scrape =
        isRecord(annotations) && isRecord(annotations['annotations']) ? annotations['annotations'] : {};
      if (scrape['prometheus.io/path'] !== undefined) {
        const app = workload.containers[0]!.app;
        if (app !== 'llm' && app !== 'api')
          throw new Error(`${workload.object.name}: scraped, but not an app`);
        out.push({
          target: app,
          path: str(scrape['prometheus.io/path']),
          where: `${overlay} ${workload.object.name} metrics`,
        });
      }
    }
  }
  const compose = loadCompose('docker-compose.yml', readEnvFile('.env.example').set);
  for (const service of compose.services.values()) {
    const healthcheck = service.raw['healthcheck'];
    if (!isRecord(healthcheck)) continue;
    const text = ([] as unknown[]).concat(healthcheck['test']).map(String).join(' ');
    const url = /https?:\/\/[^/\s'"]+(\/[\w/.-]*)/.exec(text);
    if (!url) continue; // pg_isready, redis-cli, ollama list
    const target = composeTarget(service);
    out.push({ target, path: url[1]!, where: `docker-compose.yml ${service.name} healthcheck` });
  }
  return out;
}

function composeTarget(service: ComposeService): Target {
  if (service.image?.startsWith('vllm/')) return 'vllm';
  const app = service.image === undefined ? undefined : IMAGE_APPS[imageName(service.image)];
  if (app === 'api' || app === 'llm') return app;
  throw new Error(`docker-compose.yml ${service.name}: no stand-in to probe ${service.image}`);
}

describe('probed paths are real routes', () => {
  const paths = probedPaths();
  let ollama: FakeOllama;
  let vllm: FakeVllm;
  let api: TestApp;
  let gateway: TestGateway;
  const urls = {} as Record<Target, string>;

  beforeAll(async () => {
    ollama = await startFakeOllama();
    vllm = await startFakeVllm();
    api = await startTestApp({ env: { OLLAMA_BASE_URL: ollama.url } });
    gateway = await startGateway({ env: { OLLAMA_BASE_URL: ollama.url, LOG_LEVEL: 'warn' } });
    urls.api = api.url;
    urls.llm = gateway.url;
    urls.vllm = vllm.url.replace(/\/v1\/?$/, '');
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await gateway?.close();
    await ollama?.close();
    await vllm?.close();
  });

  it('finds the probes of every image, overlay and compose service', () => {
    const where = paths.map((p) => p.where).join('\n');
    for (const expected of [
      'docker/api.Dockerfile',
      'docker/llm.Dockerfile',
      'stage1 sluice-api',
      'stage2 sluice-llm',
      'vllm',
    ]) {
      expect(where).toContain(expected);
    }
  });

  it.each(paths.map((p) => [p.where, p.target, p.path] as const))(
    '%s: %s %s answers 200',
    async (_where, target, path) => {
      const response = await fetch(`${urls[target]}${path}`);
      expect(`${target} ${path} → ${response.status}`).toBe(`${target} ${path} → 200`);
    },
  );
});
