// The system programs some tests drive for real, checked before the tests run: Debian's Chromium for
// the browser tests (a test tool's own browser download cannot work here) and nginx for the web image's
// config. As root with apt, missing ones are installed; otherwise it says exactly what to do.
// kubectl (its built-in Kustomize renders deploy/k8s) cannot come from apt at a usable version, so it
// is only checked. `SLUICE_CHROMIUM` points at another Chromium binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const chromium = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';

const missing = [];
if (!existsSync(chromium)) missing.push({ what: `Chromium (${chromium})`, debian: 'chromium' });
if (!has('nginx') && !existsSync('/usr/sbin/nginx')) missing.push({ what: 'nginx', debian: 'nginx' });

if (missing.length > 0) {
  const packages = missing.map((m) => m.debian);
  const canInstall = process.getuid?.() === 0 && has('apt-get');
  if (!canInstall) {
    console.error(
      `The tests need ${missing.map((m) => m.what).join(' and ')}. ` +
        `Install: sudo apt-get install -y ${packages.join(' ')}`,
    );
    process.exit(1);
  }
  console.log(`Installing ${packages.join(', ')} for the tests (apt-get)…`);
  const apt = (args) =>
    execFileSync('apt-get', args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', '--no-install-recommends', ...packages]);
}

if (!has('kubectl')) {
  console.error(
    'The Kubernetes checks render deploy/k8s with `kubectl kustomize` (kubectl 1.27 or newer): install kubectl.',
  );
  process.exit(1);
}
