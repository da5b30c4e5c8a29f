/**
 * The environment variables each app reads, taken from the apps' own configuration schemas, so the
 * deployment files cannot set a variable nothing reads (a typo, a renamed setting) without a test
 * failing.
 */
import { llmEnvSchema } from '@sluice/llm-provider';
// The deploy checks read the apps' configuration schemas and loaders: a test-time edge into the apps,
// not a runtime dependency (nothing ships from tools/deploy).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { apiEnvSchema, loadApiConfig } from '../../../apps/api/src/config/api-config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import * as gatewayConfigModule from '../../../apps/llm/src/config/gateway-config';

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

export const LLM_KEYS = schemaKeys(llmEnvSchema);
export const API_KEYS = schemaKeys(apiEnvSchema);
export const GATEWAY_KEYS = gatewayConfigModule.gatewayEnvSchemas.flatMap(schemaKeys);

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
