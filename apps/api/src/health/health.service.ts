import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readiness } from '@sluice/contracts';
import { LlmRegistry } from '@sluice/llm-provider';
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
  async readiness(): Promise<Readiness> {
    const [database, llm] = await Promise.all([this.database(), this.upstreams()]);
    const status = !database.ok ? 'down' : llm.every((upstream) => upstream.ok) ? 'ok' : 'degraded';
    return { status, database, llm };
  }

  private async database(): Promise<Readiness['database']> {
    const started = performance.now();
    try {
      await withTimeout(this.dataSource.query('SELECT 1'), DATABASE_TIMEOUT_MS, 'the database');
      return { ok: true, latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: error instanceof Error ? error.message : String(error),
      };
    }
  }

  private upstreams(): Promise<Readiness['llm']> {
    const options = {
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      timeouts: { connectMs: UPSTREAM_TIMEOUT_MS, totalMs: UPSTREAM_TIMEOUT_MS },
    };
    return Promise.all(
      this.registry.list().map(async (provider) => {
        const started = performance.now();
        try {
          const health = await withTimeout(
            provider.health(options),
            UPSTREAM_TIMEOUT_MS + 500,
            provider.baseUrl,
          );
          return {
            provider: health.provider,
            kind: health.kind,
            baseUrl: health.baseUrl,
            ok: health.ok,
            latencyMs: Math.round(health.latencyMs),
            ...(health.error === undefined ? {} : { error: health.error }),
          };
        } catch (error) {
          return {
            provider: provider.id,
            kind: provider.kind,
            baseUrl: provider.baseUrl,
            ok: false,
            latencyMs: Math.round(performance.now() - started),
            error: { code: 'unavailable', message: error instanceof Error ? error.message : String(error) },
          };
        }
      }),
    );
  }
}
