import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LlmUsage } from '@sluice/llm-provider';
import type { Endpoint } from '../logging/request-context';
import type { Outcome } from '../openai/openai-error';
import { KnownModels } from './known-models';

export interface CallMetrics {
  endpoint: Endpoint;
  model: string | undefined;
  provider: string | undefined;
  outcome: Outcome;
  durationSeconds: number;
  ttftSeconds?: number;
  usage?: LlmUsage;
}

const UNKNOWN = 'unknown';
/** The label value of every model name that is neither an alias nor listed by an upstream. */
const OTHER_MODEL = 'other';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several apps in one test process do
 * not collide, and nothing a library registers globally leaks in). The user id is never a label.
 */
@Injectable()
export class GatewayMetrics {
  readonly registry = new Registry();

  private readonly requests = new Counter({
    name: 'sluice_llm_requests_total',
    help: 'Model calls by model, provider, endpoint and outcome (ok or the error code).',
    labelNames: ['model', 'provider', 'endpoint', 'outcome'] as const,
    registers: [this.registry],
  });

  private readonly timeToFirstToken = new Histogram({
    name: 'sluice_llm_time_to_first_token_seconds',
    help: 'From the request arriving to the first text, reasoning or tool-call event (streams).',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
    registers: [this.registry],
  });

  private readonly duration = new Histogram({
    name: 'sluice_llm_request_duration_seconds',
    help: 'From the request arriving to the response closing.',
    labelNames: ['model', 'provider'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });

  private readonly tokens = new Counter({
    name: 'sluice_llm_tokens_total',
    help: 'Tokens the upstreams reported, by kind (prompt or completion).',
    labelNames: ['model', 'provider', 'kind'] as const,
    registers: [this.registry],
  });

  /** Read at each scrape from the calls the gateway tracks anyway (`CallTracker`). */
  private streamsOpen: () => number = () => 0;

  private readonly streamsInFlight: Gauge = new Gauge({
    name: 'sluice_llm_streams_in_flight',
    help: 'Streamed chat completions currently open.',
    registers: [this.registry],
    collect: () => {
      this.streamsInFlight.set(this.streamsOpen());
    },
  });

  private readonly rateLimitStoreErrors = new Counter({
    name: 'sluice_llm_rate_limit_store_errors_total',
    help: 'Rate-limit counter reads and writes that failed (Redis down): the request was let through.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  constructor(private readonly knownModels: KnownModels) {
    collectDefaultMetrics({ register: this.registry });
  }

  readStreamsInFlight(count: () => number): void {
    this.streamsOpen = count;
  }

  /** A rate-limit check (`admit`) or token count (`record`) the store failed; the gateway failed open. */
  rateLimitStoreFailed(operation: 'admit' | 'record'): void {
    this.rateLimitStoreErrors.inc({ operation });
  }

  record(call: CallMetrics): void {
    const model = call.outcome === 'model_not_found' ? UNKNOWN : this.modelLabel(call.model);
    const provider = call.provider ?? UNKNOWN;
    this.requests.inc({ model, provider, endpoint: call.endpoint, outcome: call.outcome });
    this.duration.observe({ model, provider }, call.durationSeconds);
    if (call.ttftSeconds !== undefined) this.timeToFirstToken.observe({ model, provider }, call.ttftSeconds);
    const { promptTokens, completionTokens } = call.usage ?? {};
    if (promptTokens) this.tokens.inc({ model, provider, kind: 'prompt' }, promptTokens);
    if (completionTokens) this.tokens.inc({ model, provider, kind: 'completion' }, completionTokens);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Callers choose the model string: only a known one becomes a label value of its own. */
  private modelLabel(model: string | undefined): string {
    if (model === undefined) return UNKNOWN;
    return this.knownModels.has(model) ? model : OTHER_MODEL;
  }
}
