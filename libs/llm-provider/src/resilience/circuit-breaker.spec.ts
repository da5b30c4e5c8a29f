import { LlmError } from '../contract';
import {
  CircuitBreaker,
  type CircuitBreakerPolicy,
  type CircuitTicket,
  failureScope,
} from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = (policy: Partial<CircuitBreakerPolicy> = {}) =>
    new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000, ...policy }, () => now);
  const pass = (b: CircuitBreaker): CircuitTicket => {
    const admission = b.admit();
    if (!admission.ok) throw new Error(`refused: retry in ${admission.retryAfterMs} ms`);
    return admission.ticket;
  };
  const trip = (b: CircuitBreaker, times = 3) => {
    for (let i = 0; i < times; i++) pass(b).failed();
  };

  beforeEach(() => {
    now = 0;
  });

  it('opens after consecutive failures and refuses calls at once, saying when to come back', () => {
    const b = breaker();
    trip(b, 2);
    expect(b.admit().ok).toBe(true);
    pass(b).failed();
    expect(b.state).toBe('open');
    expect(b.admit()).toEqual({ ok: false, retryAfterMs: 1_000 });
    now = 600;
    expect(b.admit()).toEqual({ ok: false, retryAfterMs: 1_000 }); // never less than a second
  });

  it('a success in between resets the count, however many times it alternates', () => {
    const b = breaker();
    for (let i = 0; i < 50; i++) {
      pass(b).failed();
      pass(b).failed();
      pass(b).succeeded();
    }
    expect(b.state).toBe('closed');
  });

  it('after the cooldown lets a bounded number of probes through; a success closes the circuit', () => {
    const b = breaker({ halfOpenProbes: 2 });
    trip(b);
    now = 1_000;
    expect(b.state).toBe('half-open');
    const first = pass(b);
    pass(b);
    // Others are refused meanwhile, told to come back in a second, not "0".
    expect(b.admit()).toEqual({ ok: false, retryAfterMs: 1_000 });
    first.succeeded();
    expect(b.state).toBe('closed');
    for (let i = 0; i < 50; i++) pass(b).succeeded();
  });

  it('a failed probe reopens the circuit for another cooldown', () => {
    const b = breaker();
    trip(b);
    now = 1_500;
    pass(b).failed();
    expect(b.state).toBe('open');
    now = 2_400;
    expect(b.admit().ok).toBe(false);
    now = 2_500;
    expect(b.admit().ok).toBe(true);
  });

  it('a probe that tells nothing (aborted, a bad request) frees its place for the next probe', () => {
    const b = breaker();
    trip(b);
    now = 1_000;
    pass(b).released();
    pass(b).succeeded();
    expect(b.state).toBe('closed');
  });

  it('settles a ticket once: a second report of the same call is ignored', () => {
    const b = breaker();
    const ticket = pass(b);
    ticket.failed();
    ticket.failed();
    ticket.failed();
    expect(b.state).toBe('closed');
    trip(b, 2);
    expect(b.state).toBe('open');
  });

  it('never opens with a threshold of 0', () => {
    const b = breaker({ failureThreshold: 0 });
    trip(b, 100);
    expect(b.state).toBe('closed');
  });
});

describe('failureScope', () => {
  it('counts only upstream-health failures, by code unless the error says', () => {
    expect(failureScope(new LlmError('unavailable', 'refused'))).toBe('server');
    expect(failureScope(new LlmError('upstream', '500'))).toBe('model');
    expect(failureScope(new LlmError('timeout', 'no first token'))).toBe('model');
    expect(failureScope(new LlmError('timeout', 'no headers', { scope: 'server' }))).toBe('server');
    for (const code of [
      'bad_request',
      'context_length',
      'model_not_found',
      'rate_limited',
      'auth',
      'aborted',
    ] as const) {
      expect(failureScope(new LlmError(code, code))).toBe('none');
    }
    expect(failureScope(new LlmError('unavailable', 'relayed', { scope: 'none' }))).toBe('none');
  });
});
