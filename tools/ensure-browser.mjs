// The browser tests drive Debian's Chromium (a test tool's own browser download cannot work here).
// Makes sure it is installed before the tests run: as root with apt, it installs it; otherwise it says
// exactly what to do. `SLUICE_CHROMIUM` points at another Chromium binary.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const binary = process.env.SLUICE_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(binary)) process.exit(0);

const isRoot = process.getuid?.() === 0;
const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
if (!isRoot || !hasApt) {
  console.error(
    `The browser tests need Chromium at ${binary}. Install it (Debian/Ubuntu: sudo apt-get install -y chromium) ` +
      'or set SLUICE_CHROMIUM to a Chromium binary.',
  );
  process.exit(1);
}
console.log('Installing Chromium for the browser tests (apt-get install chromium)…');
const apt = (args) =>
  execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
apt(['update', '-qq']);
apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
if (!existsSync(binary)) {
  console.error(`apt-get finished but ${binary} is still missing`);
  process.exit(1);
}
