import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const embedded = globalThis.__SLUICE_DEPLOY_PG__;
  if (!embedded) return;
  globalThis.__SLUICE_DEPLOY_PG__ = undefined;
  await embedded.handle.stop();
  await rm(embedded.dir, { recursive: true, force: true });
}
