import type { FailureScope } from '../contract';
import {
  CircuitBreaker,
  type CircuitBreakerPolicy,
  type CircuitState,
  type CircuitTicket,
} from './circuit-breaker';

/** Model ids come from callers: past this many tracked at once, the oldest is forgotten. */
const MAX_TRACKED_MODELS = 1_000;

/** One call's hold on both circuits it passed, settled once with what the call showed. */
export interface UpstreamTicket {
  succeeded(): void;
  failed(scope: FailureScope): void;
  released(): void;
}

export type UpstreamAdmission =
  { ok: true; ticket: UpstreamTicket } | { ok: false; scope: 'server' | 'model'; retryAfterMs: number };

/**
 * The circuits of one upstream: the server's, which opens when nothing answers, and one per model,
 * which opens when the server answers but that model keeps failing (Ollama's "llama runner process
 * has terminated" for one model must not stop the others on the same server). A call passes only
 * when both let it.
 */
export class UpstreamCircuits {
  private readonly server: CircuitBreaker;
  private readonly models = new Map<string, CircuitBreaker>();

  constructor(
    private readonly policy: CircuitBreakerPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.server = new CircuitBreaker(policy, now);
  }

  /** The server circuit's state (what readiness reports). */
  get state(): CircuitState {
    return this.server.state;
  }

  /** Models whose own circuit is not closed. */
  get failingModels(): { model: string; circuit: Exclude<CircuitState, 'closed'> }[] {
    const out: { model: string; circuit: Exclude<CircuitState, 'closed'> }[] = [];
    for (const [model, breaker] of this.models) {
      const circuit = breaker.state;
      if (circuit !== 'closed') out.push({ model, circuit });
    }
    return out;
  }

  admit(model: string): UpstreamAdmission {
    const server = this.server.admit();
    if (!server.ok) return { ok: false, scope: 'server', retryAfterMs: server.retryAfterMs };
    const breaker = this.modelBreaker(model);
    const own = breaker.admit();
    if (!own.ok) {
      server.ticket.released();
      return { ok: false, scope: 'model', retryAfterMs: own.retryAfterMs };
    }
    return { ok: true, ticket: this.ticket(model, breaker, server.ticket, own.ticket) };
  }

  private ticket(
    model: string,
    breaker: CircuitBreaker,
    server: CircuitTicket,
    own: CircuitTicket,
  ): UpstreamTicket {
    const forget = () => {
      if (breaker.pristine && this.models.get(model) === breaker) this.models.delete(model);
    };
    return {
      succeeded: () => {
        server.succeeded();
        own.succeeded();
        forget();
      },
      failed: (scope) => {
        if (scope === 'server') server.failed();
        else server.released();
        if (scope === 'model') own.failed();
        else own.released();
        forget();
      },
      released: () => {
        server.released();
        own.released();
        forget();
      },
    };
  }

  private modelBreaker(model: string): CircuitBreaker {
    const known = this.models.get(model);
    if (known) return known;
    if (this.models.size >= MAX_TRACKED_MODELS) {
      const oldest = this.models.keys().next();
      if (!oldest.done) this.models.delete(oldest.value);
    }
    const breaker = new CircuitBreaker(this.policy, this.now);
    this.models.set(model, breaker);
    return breaker;
  }
}
