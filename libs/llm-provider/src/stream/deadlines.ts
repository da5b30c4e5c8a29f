import { LlmError, type LlmTimeouts } from '../contract';

type Phase = 'connecting' | 'waiting' | 'flowing' | 'done';

/**
 * The four deadlines of one streamed call. One timer at a time: the idle deadline is checked against
 * the time of the last event instead of re-arming a timer for every token.
 */
export class StreamDeadlines {
  private phase: Phase = 'connecting';
  private readonly startedAt = Date.now();
  private lastEventAt = this.startedAt;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeouts: LlmTimeouts,
    private readonly onExpire: (error: LlmError) => void,
    private readonly provider: string,
  ) {
    this.arm();
  }

  /** The upstream answered (headers arrived). */
  connected(): void {
    if (this.phase !== 'connecting') return;
    this.phase = 'waiting';
    this.arm();
  }

  /** A text, reasoning or tool-call event arrived. */
  token(): void {
    this.lastEventAt = Date.now();
    if (this.phase === 'flowing') return;
    this.phase = 'flowing';
    this.arm();
  }

  clear(): void {
    this.phase = 'done';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const candidates: { at: number; error: () => LlmError }[] = [];
    const { connectMs, firstTokenMs, idleMs, totalMs } = this.timeouts;
    if (totalMs !== undefined) {
      candidates.push({
        at: this.startedAt + totalMs,
        error: () => this.timeout(`no complete answer within ${totalMs} ms`),
      });
    }
    if (this.phase === 'connecting' && connectMs !== undefined) {
      candidates.push({
        at: this.startedAt + connectMs,
        error: () => this.timeout(`no response within ${connectMs} ms`),
      });
    }
    if (this.phase !== 'flowing' && firstTokenMs !== undefined) {
      candidates.push({
        at: this.startedAt + firstTokenMs,
        error: () => this.timeout(`no first token within ${firstTokenMs} ms`),
      });
    }
    if (this.phase === 'flowing' && idleMs !== undefined) {
      candidates.push({
        at: this.lastEventAt + idleMs,
        error: () => this.timeout(`the stream stalled: no token for ${idleMs} ms`),
      });
    }
    if (candidates.length === 0) return;
    const next = candidates.reduce((a, b) => (b.at < a.at ? b : a));
    this.timer = setTimeout(() => this.fire(next.at, next.error), Math.max(0, next.at - now));
    this.timer.unref();
  }

  private fire(at: number, error: () => LlmError): void {
    this.timer = undefined;
    if (this.phase === 'done') return;
    // The idle deadline moved while we slept: tokens kept coming.
    if (this.phase === 'flowing' && this.timeouts.idleMs !== undefined) {
      const idleAt = this.lastEventAt + this.timeouts.idleMs;
      const totalAt = this.timeouts.totalMs === undefined ? Infinity : this.startedAt + this.timeouts.totalMs;
      if (idleAt > at && totalAt > Date.now()) {
        this.arm();
        return;
      }
    }
    this.onExpire(error());
  }

  /** No headers in time: the server is not answering (its circuit); later, one model is slow (its own). */
  private timeout(message: string): LlmError {
    return new LlmError('timeout', message, {
      provider: this.provider,
      scope: this.phase === 'connecting' ? 'server' : 'model',
    });
  }
}
