import {
  CircuitBreaker,
  type CircuitBreakerPolicy,
  type CircuitState,
  type CircuitTicket,
} from './circuit-breaker';

/** Model ids come from callers: past this many tracked at once, a healthy one (else the oldest) goes. */
const MAX_TRACKED_MODELS = 1_000;

export type UpstreamAdmission =
  | { ok: true; server: CircuitTicket; model: CircuitTicket }
  | { ok: false; scope: 'server' | 'model'; retryAfterMs: number };

/**
 * The circuits of one upstream: the server's, which opens when nothing answers, and one per model,
 * which opens when the server answers but that model keeps failing (Ollama's "llama runner process
 * has terminated" for one model must not stop the others on the same server). A call passes only
 * when both let it, and holds a ticket of each.
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
    const own = this.modelBreaker(model).admit();
    if (!own.ok) {
      server.ticket.released();
      return { ok: false, scope: 'model', retryAfterMs: own.retryAfterMs };
    }
    return { ok: true, server: server.ticket, model: own.ticket };
  }

  private modelBreaker(model: string): CircuitBreaker {
    const known = this.models.get(model);
    if (known) return known;
    if (this.models.size >= MAX_TRACKED_MODELS) this.forgetOne();
    const breaker = new CircuitBreaker(this.policy, this.now);
    this.models.set(model, breaker);
    return breaker;
  }

  /** Makes room: the oldest model with nothing to remember, else the oldest of all. */
  private forgetOne(): void {
    for (const [model, breaker] of this.models) {
      if (breaker.pristine) {
        this.models.delete(model);
        return;
      }
    }
    const oldest = this.models.keys().next();
    if (!oldest.done) this.models.delete(oldest.value);
  }
}
