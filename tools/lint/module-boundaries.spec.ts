/**
 * Proves the workspace's lint rules enforce the architecture (docs/architecture.md, "The shape"), so a
 * boundary cannot quietly turn into a convention: each case lints a would-be file and expects the rule
 * to fire.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

async function ruleIdsFor(file: string, code: string): Promise<string[]> {
  const output = execFileSync(process.execPath, [path.join(__dirname, 'lint-imports.mjs'), file], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  const messages = JSON.parse(output) as { ruleId: string | null; message: string }[];
  return messages.map((message) => message.ruleId ?? message.message);
}

beforeAll(() => {
  // The Nx rule silently skips itself without a project graph: make sure there is one.
  execFileSync(process.execPath, [require.resolve('nx/bin/nx.js'), 'show', 'projects'], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false' },
    stdio: 'ignore',
  });
}, 60_000);

describe('module boundaries', () => {
  it('keeps NestJS out of the llm-provider core', async () => {
    const code = "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n";
    await expect(ruleIdsFor('libs/llm-provider/src/stream/x.ts', code)).resolves.toContain(
      'no-restricted-imports',
    );
  });

  it('keeps TypeORM out of the llm-provider core', async () => {
    const code = "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n";
    await expect(ruleIdsFor('libs/llm-provider/src/adapters/x.ts', code)).resolves.toContain(
      'no-restricted-imports',
    );
  });

  it('lets the Nest wrapper import NestJS', async () => {
    const code = "import { Module } from '@nestjs/common';\nexport const x = Module;\n";
    await expect(ruleIdsFor('libs/llm-provider/src/nest/x.ts', code)).resolves.toEqual([]);
  });

  it('keeps the contracts free of server packages', async () => {
    const code = "import OpenAI from 'openai';\nexport const x = OpenAI;\n";
    await expect(ruleIdsFor('libs/contracts/src/x.ts', code)).resolves.toContain(
      '@nx/enforce-module-boundaries',
    );
  });

  it('keeps the contracts from depending on the provider library', async () => {
    const code = "import { LlmError } from '@sluice/llm-provider';\nexport const x = LlmError;\n";
    await expect(ruleIdsFor('libs/contracts/src/x.ts', code)).resolves.toContain(
      '@nx/enforce-module-boundaries',
    );
  });

  it('lets the API use the provider library', async () => {
    const code = "import { LlmError } from '@sluice/llm-provider';\nexport const x = LlmError;\n";
    await expect(ruleIdsFor('apps/api/src/x.ts', code)).resolves.toEqual([]);
  });

  it('keeps NestJS out of the rate-limit library', async () => {
    const code = "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n";
    await expect(ruleIdsFor('libs/rate-limit/src/x.ts', code)).resolves.toContain('no-restricted-imports');
  });

  it('lets both apps use the rate-limit library, and keeps it out of the web app', async () => {
    const code = "import { RateLimiter } from '@sluice/rate-limit';\nexport const x = RateLimiter;\n";
    await expect(ruleIdsFor('apps/api/src/x.ts', code)).resolves.toEqual([]);
    await expect(ruleIdsFor('apps/llm/src/x.ts', code)).resolves.toEqual([]);
    await expect(ruleIdsFor('apps/web/src/x.ts', code)).resolves.toContain('@nx/enforce-module-boundaries');
  });
});
