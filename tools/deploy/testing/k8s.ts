/** Typed views of rendered Kubernetes manifests (the output of `kubectl kustomize`). */
import { imageName } from './compose';
import { IMAGE_APPS, type ImageApp } from './images';
import { asArray, asRecord, isRecord, kustomize, str } from './repo';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  name: string;
  raw: Record<string, unknown>;
}

export interface EnvVar {
  name: string;
  value?: string;
  secretKeyRef?: { name: string; key: string; optional: boolean };
  configMapKeyRef?: { name: string; key: string; optional: boolean };
}

export interface Probe {
  kind: 'startupProbe' | 'readinessProbe' | 'livenessProbe';
  path: string;
  port: string | number;
  timeoutSeconds: number;
}

export interface ContainerView {
  workload: string;
  name: string;
  image: string;
  /** The Sluice app the image runs, or undefined for another image (vLLM). */
  app: ImageApp | undefined;
  ports: { name: string | undefined; containerPort: number }[];
  env: EnvVar[];
  envFromConfigMaps: string[];
  envFromSecrets: string[];
  probes: Probe[];
  args: string[];
  raw: Record<string, unknown>;
}

export interface WorkloadView {
  object: K8sObject;
  podLabels: Record<string, string>;
  podSpec: Record<string, unknown>;
  containers: ContainerView[];
}

export class Rendered {
  constructor(
    readonly dir: string,
    readonly objects: K8sObject[],
  ) {}

  static render(dir: string): Rendered {
    const objects = kustomize(dir).map((doc, index) => {
      const raw = asRecord(doc, `${dir} document ${index}`);
      const metadata = asRecord(raw['metadata'], `${dir} document ${index} metadata`);
      return {
        apiVersion: String(raw['apiVersion']),
        kind: String(raw['kind']),
        name: String(metadata['name']),
        raw,
      };
    });
    return new Rendered(dir, objects);
  }

  all(kind: string): K8sObject[] {
    return this.objects.filter((object) => object.kind === kind);
  }

  find(kind: string, name: string): K8sObject | undefined {
    return this.objects.find((object) => object.kind === kind && object.name === name);
  }

  get(kind: string, name: string): K8sObject {
    const found = this.find(kind, name);
    if (!found)
      throw new Error(
        `${this.dir}: no ${kind} ${name} (has ${this.objects.map((o) => `${o.kind}/${o.name}`).join(', ')})`,
      );
    return found;
  }

  workloads(): WorkloadView[] {
    return this.all('Deployment').map((object) => workloadView(object));
  }

  /** Data of a ConfigMap (or stringData/data of a Secret). */
  configMapData(name: string): Record<string, string> {
    const data = this.get('ConfigMap', name).raw['data'];
    return isRecord(data) ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, String(v)])) : {};
  }
}

export function workloadView(object: K8sObject): WorkloadView {
  const spec = asRecord(object.raw['spec'], `${object.name}.spec`);
  const template = asRecord(spec['template'], `${object.name}.spec.template`);
  const metadata = asRecord(template['metadata'], `${object.name} template metadata`);
  const podSpec = asRecord(template['spec'], `${object.name} pod spec`);
  const podLabels = Object.fromEntries(
    Object.entries(asRecord(metadata['labels'] ?? {}, 'labels')).map(([k, v]) => [k, String(v)]),
  );
  const containers = asArray(podSpec['containers'], `${object.name} containers`).map((c) =>
    containerView(object.name, asRecord(c, 'container')),
  );
  return { object, podLabels, podSpec, containers };
}

function containerView(workload: string, raw: Record<string, unknown>): ContainerView {
  const image = String(raw['image']);
  const env = asArray(raw['env'], `${workload} env`).map((item): EnvVar => {
    const e = asRecord(item, `${workload} env item`);
    const from = isRecord(e['valueFrom']) ? e['valueFrom'] : {};
    const ref = (key: string) => {
      const r = from[key];
      return isRecord(r)
        ? { name: String(r['name']), key: String(r['key']), optional: r['optional'] === true }
        : undefined;
    };
    const secretKeyRef = ref('secretKeyRef');
    const configMapKeyRef = ref('configMapKeyRef');
    return {
      name: String(e['name']),
      ...(e['value'] === undefined ? {} : { value: str(e['value']) }),
      ...(secretKeyRef ? { secretKeyRef } : {}),
      ...(configMapKeyRef ? { configMapKeyRef } : {}),
    };
  });
  const envFrom = asArray(raw['envFrom'], `${workload} envFrom`).map((item) =>
    asRecord(item, 'envFrom item'),
  );
  const probes: Probe[] = [];
  for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
    const probe = raw[kind];
    if (!isRecord(probe)) continue;
    const http = asRecord(probe['httpGet'], `${workload} ${kind}.httpGet`);
    probes.push({
      kind,
      path: String(http['path']),
      port: typeof http['port'] === 'number' ? http['port'] : String(http['port']),
      timeoutSeconds: typeof probe['timeoutSeconds'] === 'number' ? probe['timeoutSeconds'] : 1,
    });
  }
  return {
    workload,
    name: String(raw['name']),
    image,
    app: IMAGE_APPS[imageName(image)],
    ports: asArray(raw['ports'], `${workload} ports`).map((p) => {
      const port = asRecord(p, 'port');
      return {
        name: port['name'] === undefined ? undefined : str(port['name']),
        containerPort: Number(port['containerPort']),
      };
    }),
    env,
    envFromConfigMaps: envFrom
      .filter((e) => isRecord(e['configMapRef']))
      .map((e) => String((e['configMapRef'] as Record<string, unknown>)['name'])),
    envFromSecrets: envFrom
      .filter((e) => isRecord(e['secretRef']))
      .map((e) => String((e['secretRef'] as Record<string, unknown>)['name'])),
    probes,
    args: asArray(raw['args'], `${workload} args`).map(String),
    raw,
  };
}

/** A port reference (name or number) resolved against a container's ports. */
export function resolvePort(container: ContainerView, port: string | number): number | undefined {
  if (typeof port === 'number' || /^\d+$/.test(port)) return Number(port);
  return container.ports.find((p) => p.name === port)?.containerPort;
}

export function matchesSelector(labels: Record<string, string>, selector: Record<string, unknown>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === String(value));
}
