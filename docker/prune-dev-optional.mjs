// Runs in the images' prod-deps stage, after `npm ci --omit=dev`, from the directory holding
// package-lock.json and node_modules. `--omit=dev` keeps every package the lockfile marks
// `devOptional`: a dev dependency that some production package names as an *optional peer* (typeorm's
// peer `typescript`; openai's peer `ws`). Nothing at run time needs them.
//
// This walks the production graph from the root's dependencies the way Node resolves them (each
// package's dependencies, optionalDependencies and required peers; optional peers are not followed)
// and deletes every installed package outside it, then the workspace links (the build inlines the libs
// with tsc-alias) and the `.bin` entries left dangling. Platform binaries stay: they are
// optionalDependencies of a production package, so they are in the graph.
import { existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const packages = lock.packages ?? {};
const root = packages[''] ?? {};

/** `node_modules/a/node_modules/b` resolving `c`: its own node_modules, then each parent's, then the top. */
function resolve(from, name) {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

function edges(entry) {
  const optionalPeers = entry.peerDependenciesMeta ?? {};
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !optionalPeers[name]?.optional);
  return [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...peers,
  ];
}

const keep = new Set();
const queue = [];
const visit = (from, name) => {
  const path = resolve(from, name);
  if (path === undefined || keep.has(path)) return;
  keep.add(path);
  queue.push(path);
};
for (const name of [
  ...Object.keys(root.dependencies ?? {}),
  ...Object.keys(root.optionalDependencies ?? {}),
]) {
  visit('', name);
}
while (queue.length > 0) {
  const path = queue.shift();
  const entry = packages[path];
  // A workspace link: follow the workspace's own dependencies from its folder.
  const from = entry.link ? entry.resolved : path;
  for (const name of edges(entry.link ? (packages[entry.resolved] ?? {}) : entry)) visit(from, name);
}

const removed = [];
for (const [path, entry] of Object.entries(packages)) {
  if (!path.startsWith('node_modules/')) continue;
  const outside = !keep.has(path);
  if ((outside || entry.link) && existsSync(path)) {
    rmSync(path, { recursive: true, force: true });
    removed.push(path.replace(/^node_modules\//, ''));
  }
}

// Empty scope folders and `.bin` links to what is gone.
for (const dir of readdirSync('node_modules')) {
  const full = join('node_modules', dir);
  if (dir.startsWith('@') && statSync(full).isDirectory() && readdirSync(full).length === 0)
    rmSync(full, { recursive: true });
}
const bin = join('node_modules', '.bin');
if (existsSync(bin)) {
  for (const link of readdirSync(bin)) {
    const full = join(bin, link);
    if (lstatSync(full).isSymbolicLink() && !existsSync(full)) unlinkSync(full);
  }
}

console.log(`prune-dev-optional: removed ${removed.length} package(s): ${removed.join(', ') || 'none'}`);
