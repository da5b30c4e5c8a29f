import type { FailureScope } from '../contract';
import { UpstreamCircuits } from './upstream-circuits';

/** One call's two tickets, settled as the registry's attempt lease does: each scope to its circuit. */
interface Call {
  succeeded(): void;
  failed(scope: FailureScope): void;
}

describe('UpstreamCircuits', () => {
  let now = 0;
  const circuits = () => new UpstreamCircuits({ failureThreshold: 2, cooldownMs: 1_000 }, () => now);
  const pass = (c: UpstreamCircuits, model: string): Call => {
    const admission = c.admit(model);
    if (!admission.ok) throw new Error(`${model} refused (${admission.scope})`);
    const { server, model: own } = admission;
    return {
      succeeded: () => {
        server.succeeded();
        own.succeeded();
      },
      failed: (scope) => {
        if (scope === 'server') server.failed();
        else server.released();
        if (scope === 'model') own.failed();
        else own.released();
      },
    };
  };

  beforeEach(() => {
    now = 0;
  });

  it("a failing model opens its own circuit, not the server's or another model's", () => {
    const c = circuits();
    pass(c, 'broken').failed('model');
    pass(c, 'healthy').succeeded();
    pass(c, 'broken').failed('model');
    expect(c.admit('broken')).toEqual({ ok: false, scope: 'model', retryAfterMs: 1_000 });
    expect(c.state).toBe('closed');
    expect(c.failingModels).toEqual([{ model: 'broken', circuit: 'open' }]);
    pass(c, 'healthy').succeeded();
    now = 1_000;
    pass(c, 'broken').succeeded();
    expect(c.failingModels).toEqual([]);
  });

  it('a server that does not answer opens the circuit for every model', () => {
    const c = circuits();
    pass(c, 'a').failed('server');
    pass(c, 'b').failed('server');
    expect(c.admit('a')).toMatchObject({ ok: false, scope: 'server' });
    expect(c.admit('c')).toMatchObject({ ok: false, scope: 'server' });
  });

  it('what the caller caused counts against nothing', () => {
    const c = circuits();
    for (let i = 0; i < 10; i++) pass(c, 'a').failed('none');
    expect(c.admit('a').ok).toBe(true);
    expect(c.state).toBe('closed');
  });

  it('a refusal by the model circuit gives back the server probe it took', () => {
    const c = circuits();
    pass(c, 'm').failed('model');
    pass(c, 'm').failed('model');
    pass(c, 'a').failed('server');
    pass(c, 'a').failed('server');
    now = 1_000;
    // Server half-open (one probe); model m still failing: its refusal must not hold the probe.
    const m = pass(c, 'm');
    m.failed('model');
    expect(c.admit('m')).toMatchObject({ ok: false, scope: 'model' });
    pass(c, 'a').succeeded();
    expect(c.state).toBe('closed');
  });

  it('remembers a bounded number of models, however many names callers send, failing ones first', () => {
    const c = circuits();
    pass(c, 'broken').failed('model');
    pass(c, 'broken').failed('model');
    for (let i = 0; i < 5_000; i++) pass(c, `random-${i}`).failed('none');
    for (let i = 0; i < 5_000; i++) pass(c, `other-${i}`).succeeded();
    // Healthy names made room for each other; the failing model was kept.
    expect(c.failingModels).toEqual([{ model: 'broken', circuit: 'open' }]);
    for (let i = 0; i < 5_000; i++) {
      pass(c, `failing-${i}`).failed('model');
      pass(c, `failing-${i}`).failed('model');
    }
    expect(c.failingModels.length).toBeLessThanOrEqual(1_000);
  });
});
