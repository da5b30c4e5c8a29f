/**
 * tools/jest.config.ts (the workspace-tools project, rootDir `tools`) also matches these specs. They
 * need this project's setup (PostgreSQL, the content-disposition transform), so they run only where
 * tools/deploy/jest.config.ts sets the flag; elsewhere each block is one skipped placeholder, and
 * nothing of it (no kubectl, no schema reading) runs.
 */
export const inDeployProject = (globalThis as { __SLUICE_DEPLOY__?: boolean }).__SLUICE_DEPLOY__ === true;

export function describeDeploy(name: string, fn: () => void): void {
  if (inDeployProject) {
    describe(name, fn);
    return;
  }
  describe.skip(name, () => {
    it('runs in the deploy project (npx jest -c tools/deploy/jest.config.ts)', () => undefined);
  });
}
