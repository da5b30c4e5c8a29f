import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { ComponentStatus, HealthDetails, Readiness, UpstreamHealth } from '@sluice/contracts';
import { type LlmHealth, LlmRegistry } from '@sluice/llm-provider';
import { DataSource } from 'typeorm';

const DATABASE_TIMEOUT_MS = 2_000;
const UPSTREAM_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function statusOf(health: LlmHealth): ComponentStatus {
  if (!health.ok) return 'down';
  return health.circuit === 'half-open' || (health.failingModels?.length ?? 0) > 0 ? 'degraded' : 'up';
}

/** What anyone may see: the status of each component, nothing about where it is or how it failed. */
export function publicReadiness(details: HealthDetails): Readiness {
  return {
    status: details.status,
    database: { status: details.database.status },
    llm: details.llm.map((upstream) => ({ provider: upstream.provider, status: upstream.status })),
  };
}

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registry: LlmRegistry,
  ) {}

  /**
   * The database decides readiness; the LLM upstreams are reported, not required: an Ollama outage
   * must not take the whole API (login, history) out of rotation.
   */
  async details(): Promise<HealthDetails> {
    const [database, llm] = await Promise.all([this.database(), this.upstreams()]);
    const status =
      database.status === 'down'
        ? 'down'
        : llm.every((upstream) => upstream.status === 'up')
          ? 'ok'
          : 'degraded';
    return { status, database, llm };
  }

  private async database(): Promise<HealthDetails['database']> {
    const started = performance.now();
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), DATABASE_TIMEOUT_MS, 'the database');
      return { status: 'up', latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        status: 'down',
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private async upstreams(): Promise<UpstreamHealth[]> {
    const started = performance.now();
    const options = {
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      timeouts: { connectMs: UPSTREAM_TIMEOUT_MS, totalMs: UPSTREAM_TIMEOUT_MS },
    };
    try {
      const health = await withTimeout(
        this.registry.health(options),
        UPSTREAM_TIMEOUT_MS + 500,
        'the LLM upstreams',
      );
      return health.map((h) => ({
        provider: h.provider,
        kind: h.kind,
        baseUrl: h.baseUrl,
        status: statusOf(h),
        ok: h.ok,
        latencyMs: Math.round(h.latencyMs),
        ...(h.error === undefined ? {} : { error: h.error }),
        ...(h.circuit === undefined ? {} : { circuit: h.circuit }),
        ...(h.failingModels === undefined ? {} : { failingModels: h.failingModels }),
        ...(h.inFlight === undefined ? {} : { inFlight: h.inFlight }),
        ...(h.queued === undefined ? {} : { queued: h.queued }),
      }));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.registry.list().map((provider) => ({
        provider: provider.id,
        kind: provider.kind,
        baseUrl: provider.baseUrl,
        status: 'down',
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: { code: 'unavailable', message },
      }));
    }
  }
}
