import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1_000 }, () => now);

  beforeEach(() => {
    now = 0;
  });

  it('opens after consecutive failures and refuses calls at once', () => {
    const b = breaker();
    b.failed();
    b.failed();
    expect(b.tryPass()).toBe(true);
    b.failed();
    expect(b.state).toBe('open');
    expect(b.tryPass()).toBe(false);
    expect(b.retryInMs()).toBe(1_000);
  });

  it('a success in between resets the count', () => {
    const b = breaker();
    b.failed();
    b.failed();
    b.succeeded();
    b.failed();
    b.failed();
    expect(b.state).toBe('closed');
  });

  it('after the cooldown lets exactly one probe through; its success closes the circuit', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    now = 1_000;
    expect(b.state).toBe('half-open');
    expect(b.tryPass()).toBe(true);
    expect(b.tryPass()).toBe(false);
    b.succeeded();
    expect(b.state).toBe('closed');
    expect(b.tryPass()).toBe(true);
  });

  it('a failed probe reopens the circuit for another cooldown', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    now = 1_500;
    expect(b.tryPass()).toBe(true);
    b.failed();
    expect(b.state).toBe('open');
    now = 2_400;
    expect(b.tryPass()).toBe(false);
    now = 2_500;
    expect(b.tryPass()).toBe(true);
  });

  it('a probe that tells nothing (aborted) frees the slot for the next probe', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed();
    now = 1_000;
    expect(b.tryPass()).toBe(true);
    b.released();
    expect(b.tryPass()).toBe(true);
  });
});
