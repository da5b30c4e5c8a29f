import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, issuesOf } from '@sluice/contracts';

const timeoutsSchema = z
  .object({
    connectMs: z.number().int().positive().optional(),
    firstTokenMs: z.number().int().positive().optional(),
    idleMs: z.number().int().positive().optional(),
    totalMs: z.number().int().positive().optional(),
  })
  .strict();

const targetSchema = z.union([
  z.string().min(3),
  z
    .object({
      target: z.string().min(3),
      timeouts: timeoutsSchema.optional(),
      retries: z.number().int().min(0).max(10).optional(),
    })
    .strict(),
]);

const providerLimitsSchema = z
  .object({
    maxConcurrent: z.number().int().positive().optional(),
    maxQueue: z.number().int().min(0).optional(),
    queueTimeoutMs: z.number().int().positive().optional(),
    circuitBreaker: z
      .object({
        failureThreshold: z.number().int().min(0),
        cooldownMs: z.number().int().positive(),
        halfOpenProbes: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const routingFileSchema = z
  .object({
    defaults: z
      .object({ timeouts: timeoutsSchema.optional(), retries: z.number().int().min(0).max(10).optional() })
      .strict()
      .optional(),
    providers: z.record(z.string(), providerLimitsSchema).optional(),
    models: z.record(z.string().min(1), z.array(targetSchema).min(1, 'an alias needs at least one target')),
  })
  .strict();

export type RoutingFile = z.infer<typeof routingFileSchema>;
export type ProviderLimits = z.infer<typeof providerLimitsSchema>;

export interface RouteTarget {
  provider: string;
  model: string;
  timeouts?: z.infer<typeof timeoutsSchema>;
  retries?: number;
}

export interface RoutingConfig {
  /** Alias → ordered fallback chain. */
  models: Record<string, RouteTarget[]>;
  /** Per-upstream concurrency, queue and circuit-breaker settings. */
  providers: Record<string, ProviderLimits>;
}

/**
 * Parses a routing file (YAML or JSON; JSON is YAML) and checks it against the configured providers.
 * Every problem is reported with the key that holds it: `LLM_MODELS_FILE: models.chat.1: …`.
 */
export function parseRoutingFile(
  text: string,
  providerIds: string[],
  source = 'LLM_MODELS_FILE',
): RoutingConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${source}: not valid YAML or JSON: ${(error as Error).message}`]);
  }
  const parsed = routingFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(issuesOf(parsed.error).map((issue) => `${source}: ${issue}`));

  const issues: string[] = [];
  const known = new Set(providerIds);
  const models: Record<string, RouteTarget[]> = {};
  for (const [alias, targets] of Object.entries(parsed.data.models)) {
    models[alias] = targets.map((entry, index) => {
      const spec = typeof entry === 'string' ? { target: entry } : entry;
      const [, provider = '', model = ''] = /^([^/:]+)[/:](.+)$/.exec(spec.target) ?? [];
      if (!known.has(provider)) {
        issues.push(
          `${source}: models.${alias}.${index}: '${spec.target}' must start with a configured provider (${providerIds.join(', ')})`,
        );
      }
      const defaults = parsed.data.defaults;
      const timeouts = { ...defaults?.timeouts, ...('timeouts' in spec ? spec.timeouts : {}) };
      const retries = ('retries' in spec ? spec.retries : undefined) ?? defaults?.retries;
      return {
        provider,
        model,
        ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
        ...(retries === undefined ? {} : { retries }),
      };
    });
  }
  for (const id of Object.keys(parsed.data.providers ?? {})) {
    if (!known.has(id))
      issues.push(`${source}: providers.${id}: not a configured provider (${providerIds.join(', ')})`);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return { models, providers: parsed.data.providers ?? {} };
}

export function loadRoutingFile(path: string, providerIds: string[]): RoutingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `LLM_MODELS_FILE: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    ]);
  }
  return parseRoutingFile(text, providerIds);
}
