/**
 * The environment variables each app reads, taken from the apps' own configuration schemas, so the
 * deployment files cannot set a variable nothing reads (a typo, a renamed setting) without a test
 * failing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { llmEnvSchema } from '@sluice/llm-provider';
import ts from 'typescript';
// The deploy checks read the apps' configuration schemas and loaders: a test-time edge into the apps,
// not a runtime dependency (nothing ships from tools/deploy).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { apiEnvSchema, loadApiConfig } from '../../../apps/api/src/config/api-config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as gatewayConfigModule from '../../../apps/llm/src/config/gateway-config';
import { listFiles, repoPath } from './repo';

export type AppName = 'api' | 'llm';

interface ZodLike {
  _zod: { def: Record<string, unknown> & { type: string } };
}

function isZod(value: unknown): value is ZodLike {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/**
 * The keys of an object schema, through the wrappers zod 4 puts around one: pipes (`.transform()`,
 * `.pipe()`), optional/default/catch/readonly, intersections and unions. Refinements keep the object.
 */
export function schemaKeys(schema: unknown): string[] {
  if (!isZod(schema)) throw new Error('not a zod schema');
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return Object.keys(def['shape'] as Record<string, unknown>);
    case 'pipe':
      return schemaKeys(def['in']);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return schemaKeys(def['innerType']);
    case 'intersection':
      return [...schemaKeys(def['left']), ...schemaKeys(def['right'])];
    case 'union':
      return (def['options'] as unknown[]).flatMap((option) => schemaKeys(option));
    default:
      throw new Error(`cannot read the keys of a zod ${def.type} schema`);
  }
}

/**
 * The gateway's variables. Its schemas are module-private today, so when the module exports none,
 * the keys of every `z.object({...})` literal in apps/llm/src/config/*.ts are read from the source
 * with the TypeScript parser (the same text the schemas are built from).
 */
function gatewayKeys(): { keys: string[]; source: string } {
  const exported = Object.entries(gatewayConfigModule).filter(([, value]) => {
    if (!isZod(value)) return false;
    try {
      return schemaKeys(value).length > 0;
    } catch {
      return false;
    }
  });
  if (exported.length > 0) {
    return {
      keys: exported.flatMap(([, schema]) => schemaKeys(schema)),
      source: `exported ${exported.map(([name]) => name).join(', ')}`,
    };
  }
  const keys: string[] = [];
  const files = listFiles(
    'apps/llm/src/config',
    (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
  );
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(repoPath(file), 'utf8'), ts.ScriptTarget.Latest);
    const visit = (node: ts.Node) => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === 'object' &&
        ts.isIdentifier(node.expression.expression) &&
        node.expression.expression.text === 'z'
      ) {
        const [shape] = node.arguments;
        if (shape !== undefined && ts.isObjectLiteralExpression(shape)) {
          for (const property of shape.properties) {
            if (
              property.name !== undefined &&
              (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))
            )
              keys.push(property.name.text);
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return { keys, source: `z.object literals in ${files.map((file) => path.basename(file)).join(', ')}` };
}

const gateway = gatewayKeys();

export const LLM_KEYS = schemaKeys(llmEnvSchema);
export const API_KEYS = schemaKeys(apiEnvSchema);
export const GATEWAY_KEYS = gateway.keys;
/** Where the gateway's keys came from (reported by the tests). */
export const GATEWAY_KEYS_SOURCE = gateway.source;

/** Every variable an app reads: its own and the LLM module's (both apps host the module). */
export const APP_ENV: Record<AppName, ReadonlySet<string>> = {
  api: new Set([...API_KEYS, ...LLM_KEYS]),
  llm: new Set([...GATEWAY_KEYS, ...LLM_KEYS]),
};

/** The app's default PORT, from its schema. */
export function defaultPort(app: AppName): number {
  if (app === 'api') return loadApiConfig({}).port;
  return gatewayConfigModule.loadGatewayConfig({ LLM_GATEWAY_ALLOW_NO_AUTH: 'true' }).port;
}

/** Validates an environment the way the app does at boot; throws the app's own error naming each variable. */
export function validateAppEnv(app: AppName, env: Record<string, string | undefined>): void {
  if (app === 'api') loadApiConfig(env);
  else gatewayConfigModule.loadGatewayConfig(env);
}
