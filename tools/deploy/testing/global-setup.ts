// eslint-disable-next-line @nx/enforce-module-boundaries
import apiGlobalSetup from '../../../apps/api/test/support/global-setup';

declare global {
  var __SLUICE_DEPLOY_PG__: typeof globalThis.__SLUICE_EMBEDDED_PG__;
}

/**
 * PostgreSQL for the apps these checks boot: DATABASE_URL, or the embedded one the API's setup starts.
 * In a run of every project the API's setup has already chosen one: it is shared, and the API's
 * teardown stops it. Otherwise ours is kept apart, so only our teardown stops it.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env['SLUICE_TEST_ADMIN_DATABASE_URL'] !== undefined) return;
  await apiGlobalSetup();
  globalThis.__SLUICE_DEPLOY_PG__ = globalThis.__SLUICE_EMBEDDED_PG__;
  globalThis.__SLUICE_EMBEDDED_PG__ = undefined;
}
