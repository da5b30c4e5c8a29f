import type { Exchange } from './fake-exchange';
import { FakeServer, type FakeUpstream } from './fake-server';
import type { LlmCallOptions, LlmProvider, LlmStreamEvent } from '../contract';
import { loadWireFixture, type WireFixture } from './wire-fixture';

export interface FixtureUpstream extends FakeUpstream {
  /** Queues recorded exchanges: each next request is answered with the next one, whatever it asks. */
  play(...fixtures: WireFixture[]): void;
}

/**
 * Replays recorded exchanges over a real socket on 127.0.0.1: the status and headers, then each
 * recorded write on its own (so reads split where the server's writes did), then the end or a cut.
 */
class FixtureServer extends FakeServer implements FixtureUpstream {
  private readonly queued: WireFixture[] = [];

  constructor() {
    super([]);
  }

  play(...fixtures: WireFixture[]): void {
    this.queued.push(...fixtures);
  }

  protected isModelCall(method: string): boolean {
    return method === 'POST';
  }

  protected override onReset(): void {
    this.queued.length = 0;
  }

  protected async route(ex: Exchange): Promise<void> {
    const fixture = this.queued.shift();
    if (!fixture) return this.send(ex, 500, 'text/plain', 'no fixture queued');
    const { status, headers, body, ending } = fixture.response;
    if (!ex.writeHead(status, headers)) return;
    ex.flushHeaders();
    for (const write of body) {
      if (!(await ex.write(write))) return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (ending === 'cut') ex.cut();
    else await ex.end();
  }
}

export async function startFixtureServer(): Promise<FixtureUpstream> {
  return new FixtureServer().listen();
}

/**
 * A spec's replay of recorded exchanges to one adapter: the fixture server for the spec's life, the
 * adapter pointed at it, and `stream(name)` playing one fixture and collecting the events.
 */
export function fixtureReplay<P extends LlmProvider>(
  makeProvider: (upstreamUrl: string) => P,
  call: (fixture: WireFixture) => LlmCallOptions,
) {
  let upstream: FixtureUpstream;
  let provider: P;
  beforeAll(async () => {
    upstream = await startFixtureServer();
    provider = makeProvider(upstream.url);
  });
  afterAll(() => upstream.close());
  beforeEach(() => upstream.reset());
  return {
    provider: () => provider,
    /** Serves the named fixture to the next request. */
    play(name: string): WireFixture {
      const fixture = loadWireFixture(name);
      upstream.play(fixture);
      return fixture;
    },
    async stream(name: string): Promise<LlmStreamEvent[]> {
      const events: LlmStreamEvent[] = [];
      for await (const event of provider.stream(call(this.play(name)))) events.push(event);
      return events;
    },
  };
}
