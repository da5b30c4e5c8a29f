/**
 * deploy/k8s against the code: both overlays rendered with kubectl's Kustomize, then every container's
 * environment checked against its app's configuration (keys and values, through the app's own loader),
 * ports and Service targets, probes, security context, resources, the gateway's autoscaler and
 * disruption budget, the vLLM example, and the images CI pushes.
 */
import path from 'node:path';
import { APP_ENV, validateAppEnv } from './testing/app-env';
import { hostPort, withGeneratedSecrets } from './testing/compose';
import { imageInfoFor, imageInfos } from './testing/images';
import { type ContainerView, matchesSelector, Rendered, resolvePort, type WorkloadView } from './testing/k8s';
import { asArray, asRecord, isRecord, listFiles, loadYamlDocuments, readRepoFile, str } from './testing/repo';

const OVERLAYS = ['stage1', 'stage2'] as const;
const SECRET_EXAMPLE = 'deploy/k8s/base/secret.example.yaml';

describe('deploy/k8s', () => {
  const secretExample = asRecord(
    loadYamlDocuments(readRepoFile(SECRET_EXAMPLE), SECRET_EXAMPLE)[0],
    SECRET_EXAMPLE,
  );
  // The example's CHANGE-ME values replaced, as an operator does (production refuses them).
  const shippedSecretData = Object.fromEntries(
    Object.entries(asRecord(secretExample['stringData'], 'stringData')).map(([k, v]) => [k, str(v, '')]),
  );
  const secretData = withGeneratedSecrets(shippedSecretData);
  const secretName = String(asRecord(secretExample['metadata'], 'metadata')['name']);
  const renders = new Map<string, Rendered>();
  const rendered = (overlay: string) => {
    let r = renders.get(overlay);
    if (!r) {
      r = Rendered.render(`deploy/k8s/overlays/${overlay}`);
      renders.set(overlay, r);
    }
    return r;
  };
  const appContainers = (r: Rendered) =>
    r.workloads().flatMap((w) => w.containers.filter((c) => c.app !== undefined).map((c) => ({ w, c })));

  /** The environment a container gets: envFrom ConfigMaps, then `env` (Secrets from the example). */
  const effectiveEnv = (r: Rendered, c: ContainerView): Record<string, string> => {
    const env: Record<string, string> = {};
    for (const name of c.envFromConfigMaps) Object.assign(env, r.configMapData(name));
    if (c.envFromSecrets.length > 0)
      throw new Error(`${c.workload}: envFrom a Secret passes every key; name each one`);
    for (const e of c.env) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.secretKeyRef) {
        const value = secretData[e.secretKeyRef.key];
        if (value === undefined && !e.secretKeyRef.optional)
          throw new Error(
            `${c.workload}: ${e.name} reads ${e.secretKeyRef.key}, which ${SECRET_EXAMPLE} does not show`,
          );
        if (value !== undefined) env[e.name] = value;
      } else if (e.configMapKeyRef) {
        env[e.name] = r.configMapData(e.configMapKeyRef.name)[e.configMapKeyRef.key] ?? '';
      }
    }
    return env;
  };

  it('every manifest parses, and every file is used by a kustomization (the Secret example excepted)', () => {
    const files = listFiles('deploy/k8s', (file) => /\.ya?ml$/.test(file));
    const referenced = new Set<string>();
    for (const file of files) {
      const docs = loadYamlDocuments(readRepoFile(file), file);
      expect(`${file}: ${docs.length}`).not.toBe(`${file}: 0`);
      if (path.posix.basename(file) !== 'kustomization.yaml') continue;
      const kustomization = asRecord(docs[0], file);
      for (const resource of asArray(kustomization['resources'], `${file} resources`)) {
        referenced.add(path.posix.normalize(path.posix.join(path.posix.dirname(file), String(resource))));
      }
      referenced.add(file);
    }
    const orphans = files.filter((file) => file !== SECRET_EXAMPLE && !referenced.has(file));
    expect(orphans).toEqual([]);
    expect(() => Rendered.render('deploy/k8s/base')).not.toThrow();
  });

  it.each(OVERLAYS)('%s: containers get only variables their app reads, and values it accepts', (overlay) => {
    const r = rendered(overlay);
    const containers = appContainers(r);
    expect(containers.map(({ c }) => c.app).sort()).toEqual(overlay === 'stage1' ? ['api'] : ['api', 'llm']);
    for (const { c } of containers) {
      const app = c.app as 'api' | 'llm';
      const keys = [
        ...c.env.map((e) => e.name),
        ...c.envFromConfigMaps.flatMap((name) => Object.keys(r.configMapData(name))),
      ];
      expect(keys.filter((key) => !APP_ENV[app].has(key))).toEqual([]);
      const env = effectiveEnv(r, c);
      expect(() => validateAppEnv(app, env)).not.toThrow();
      expect(env['HOST']).toBe('0.0.0.0');
    }
  });

  it.each(OVERLAYS)(
    '%s: ports line up: PORT, containerPort, EXPOSE, probes and Service targets',
    (overlay) => {
      const r = rendered(overlay);
      for (const { c } of appContainers(r)) {
        const app = c.app as 'api' | 'llm';
        const exposed = imageInfoFor(app).meta.expose[0];
        expect({ workload: c.workload, ports: c.ports }).toEqual({
          workload: c.workload,
          ports: [{ name: 'http', containerPort: exposed }],
        });
        expect(Number(effectiveEnv(r, c)['PORT'])).toBe(exposed);
        for (const probe of c.probes)
          expect(`${c.workload} ${probe.kind} → ${resolvePort(c, probe.port)}`).toBe(
            `${c.workload} ${probe.kind} → ${exposed}`,
          );
      }
      for (const service of r.all('Service')) {
        const spec = asRecord(service.raw['spec'], `${service.name}.spec`);
        const selector = asRecord(spec['selector'], `${service.name}.spec.selector`);
        const targets = r.workloads().filter((w) => matchesSelector(w.podLabels, selector));
        expect(`${service.name} selects ${targets.length}`).toBe(`${service.name} selects 1`);
        for (const port of asArray(spec['ports'], `${service.name} ports`)) {
          const p = asRecord(port, 'port');
          const target = p['targetPort'] ?? p['port'];
          const resolved = targets[0]!.containers
            .map((c) => resolvePort(c, target as string | number))
            .find((x) => x !== undefined);
          expect(`${service.name}:${String(p['port'])} → ${String(resolved)}`).not.toMatch(/→ undefined$/);
          if (resolved !== undefined)
            expect(
              targets[0]!.containers.some((c) => c.ports.some((cp) => cp.containerPort === resolved)),
            ).toBe(true);
        }
      }
    },
  );

  it.each(OVERLAYS)(
    '%s: every upstream address names a Service of the overlay, on a port it serves',
    (overlay) => {
      const r = rendered(overlay);
      const servicePort = (host: string, port: number | undefined) => {
        const name = host.split('.')[0]!;
        const service = r.find('Service', name);
        if (!service) return `no Service ${name}`;
        const ports = asArray(asRecord(service.raw['spec'], 'spec')['ports'], 'ports').map((p) =>
          Number(asRecord(p, 'port')['port']),
        );
        return ports.includes(port ?? 80) ? 'ok' : `Service ${name} serves ${ports.join(', ')}, not ${port}`;
      };
      const checked: string[] = [];
      for (const { c } of appContainers(r)) {
        const env = effectiveEnv(r, c);
        for (const key of ['LLM_GATEWAY_URL', 'VLLM_BASE_URL', 'OLLAMA_BASE_URL']) {
          if (!env[key]) continue;
          const { host, port } = hostPort(env[key]);
          expect(`${c.workload} ${key}=${env[key]}: ${servicePort(host, port)}`).toBe(
            `${c.workload} ${key}=${env[key]}: ok`,
          );
          checked.push(key);
        }
      }
      expect(checked).toContain(overlay === 'stage1' ? 'VLLM_BASE_URL' : 'LLM_GATEWAY_URL');
    },
  );

  it.each(OVERLAYS)(
    '%s: the API and the gateway probe health, run as non-root on a read-only root, with resources',
    (overlay) => {
      const r = rendered(overlay);
      for (const { w, c } of appContainers(r)) {
        const byKind = Object.fromEntries(c.probes.map((p) => [p.kind, p]));
        expect({
          workload: w.object.name,
          readiness: byKind['readinessProbe']?.path,
          liveness: byKind['livenessProbe']?.path,
        }).toEqual({
          workload: w.object.name,
          readiness: '/health/ready',
          liveness: '/health/live',
        });
        // The apps' readiness checks give each upstream up to 3 s.
        expect(byKind['readinessProbe']!.timeoutSeconds).toBeGreaterThan(3);
        const podSecurity = asRecord(w.podSpec['securityContext'], `${w.object.name} pod securityContext`);
        const uid = Number((imageInfoFor(c.app as 'api').meta.user ?? '').split(':')[0]);
        expect({ runAsNonRoot: podSecurity['runAsNonRoot'], runAsUser: podSecurity['runAsUser'] }).toEqual({
          runAsNonRoot: true,
          runAsUser: uid,
        });
        expect(c.raw['securityContext']).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
        const resources = asRecord(c.raw['resources'], `${c.workload} resources`);
        for (const kind of ['requests', 'limits']) {
          expect(Object.keys(asRecord(resources[kind], `${c.workload} resources.${kind}`)).sort()).toEqual([
            'cpu',
            'memory',
          ]);
        }
        expect(Number(w.podSpec['terminationGracePeriodSeconds'])).toBeGreaterThanOrEqual(20);
        expect(c.image).toMatch(/^ghcr\.io\/[a-z0-9._-]+\/sluice-(api|llm):[\w.-]+$/);
      }
    },
  );

  it('stage1 has no gateway; the API runs the module against vLLM', () => {
    const r = rendered('stage1');
    expect(
      r.objects.filter((o) => o.name.startsWith('sluice-llm')).map((o) => `${o.kind}/${o.name}`),
    ).toEqual([]);
    const api = appContainers(r).find(({ c }) => c.app === 'api')!.c;
    expect(effectiveEnv(r, api)).toMatchObject({ LLM_MODE: 'inprocess', LLM_PROVIDER: 'vllm' });
  });

  it('stage2 sends the API to the gateway, which an HPA scales and a PDB keeps available', () => {
    const r = rendered('stage2');
    const api = appContainers(r).find(({ c }) => c.app === 'api')!.c;
    expect(effectiveEnv(r, api)).toMatchObject({
      LLM_MODE: 'gateway',
      LLM_GATEWAY_URL: 'http://sluice-llm:3100',
    });
    const gateway = r.workloads().find((w) => w.containers.some((c) => c.app === 'llm'))!;
    expect(asRecord(gateway.object.raw['spec'], 'spec')['replicas']).toBeUndefined(); // the HPA owns it

    const hpas = r.all('HorizontalPodAutoscaler');
    expect(hpas).toHaveLength(1);
    const hpa = asRecord(hpas[0]!.raw['spec'], 'hpa spec');
    expect(hpas[0]!.apiVersion).toBe('autoscaling/v2');
    expect(hpa['scaleTargetRef']).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: gateway.object.name,
    });
    const minReplicas = Number(hpa['minReplicas']);
    expect(minReplicas).toBeGreaterThanOrEqual(2);
    expect(Number(hpa['maxReplicas'])).toBeGreaterThan(minReplicas);
    expect(asArray(hpa['metrics'], 'metrics').length).toBeGreaterThan(0);

    const pdbs = r.all('PodDisruptionBudget');
    expect(pdbs).toHaveLength(1);
    const pdb = asRecord(pdbs[0]!.raw['spec'], 'pdb spec');
    expect(
      matchesSelector(
        gateway.podLabels,
        asRecord(asRecord(pdb['selector'], 'selector')['matchLabels'], 'matchLabels'),
      ),
    ).toBe(true);
    // A drain can proceed: fewer pods must stay than the HPA keeps.
    expect(Number(pdb['minAvailable'])).toBeLessThan(minReplicas);
  });

  it.each(OVERLAYS)(
    '%s: the vLLM example asks for a GPU node, bounds its batch and probes /health',
    (overlay) => {
      const r = rendered(overlay);
      const vllm = r
        .workloads()
        .find((w: WorkloadView) => w.containers.some((c) => c.image.startsWith('vllm/vllm-openai:')));
      if (!vllm) throw new Error(`${overlay} has no vLLM Deployment`);
      const c = vllm.containers[0]!;
      expect(c.image).toMatch(/^vllm\/vllm-openai:v[\d.]+$/);
      const limits = asRecord(asRecord(c.raw['resources'], 'resources')['limits'], 'limits');
      expect(Number(limits['nvidia.com/gpu'])).toBeGreaterThanOrEqual(1);
      const tolerations = asArray(vllm.podSpec['tolerations'], 'tolerations').map(
        (t) => asRecord(t, 'toleration')['key'],
      );
      expect(tolerations).toContain('nvidia.com/gpu');
      expect(isRecord(vllm.podSpec['nodeSelector'])).toBe(true);
      expect(c.args.some((arg) => /^--max-num-seqs=\d+$/.test(arg))).toBe(true);
      const port = Number(/^--port=(\d+)$/.exec(c.args.find((arg) => arg.startsWith('--port=')) ?? '')?.[1]);
      expect(c.ports.map((p) => p.containerPort)).toEqual([port]);
      expect(c.probes.map((p) => p.path)).toEqual(['/health', '/health', '/health']);
    },
  );

  it('uses the images CI pushes', () => {
    const ci = new Set(imageInfos().map((info) => info.image));
    for (const overlay of OVERLAYS) {
      for (const { c } of appContainers(rendered(overlay))) {
        expect(ci.has(c.image.split('/').pop()!.split(':')[0]!)).toBe(true);
      }
    }
  });

  it('reads Secrets by key from the example Secret, which holds placeholders and is never rendered', () => {
    const used = new Set<string>();
    for (const overlay of OVERLAYS) {
      const r = rendered(overlay);
      expect(r.all('Secret')).toEqual([]);
      for (const w of r.workloads()) {
        for (const c of w.containers) {
          for (const e of c.env) {
            if (!e.secretKeyRef) continue;
            expect(`${c.workload} ${e.name} ← ${e.secretKeyRef.name}`).toBe(
              `${c.workload} ${e.name} ← ${secretName}`,
            );
            expect(Object.keys(secretData)).toContain(e.secretKeyRef.key);
            used.add(e.secretKeyRef.key);
          }
        }
      }
    }
    expect(Object.keys(secretData).filter((key) => !used.has(key))).toEqual([]);
    for (const [key, value] of Object.entries(shippedSecretData)) {
      expect(`${key}: ${value === '' || value.includes('CHANGE-ME')}`).toBe(`${key}: true`);
    }
  });
});
