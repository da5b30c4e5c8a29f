import type { Exchange } from './fake-exchange';
import { FakeServer, type FakeUpstream } from './fake-server';
import type { WireFixture } from './wire-fixture';

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
