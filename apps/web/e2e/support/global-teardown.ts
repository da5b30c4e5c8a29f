import { rm } from 'node:fs/promises';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the browser tests boot the real API
import stopPostgres from '../../../api/test/support/global-teardown';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__SLUICE_WEB_E2E__;
  if (!state) return;
  globalThis.__SLUICE_WEB_E2E__ = undefined;
  if (state.postgres !== undefined) {
    // The API's teardown stops what sits in its slot: put ours there, and what was there back after.
    const other = globalThis.__SLUICE_EMBEDDED_PG__;
    globalThis.__SLUICE_EMBEDDED_PG__ = state.postgres;
    await stopPostgres();
    globalThis.__SLUICE_EMBEDDED_PG__ = other;
  }
  await rm(state.distDir, { recursive: true, force: true });
}
