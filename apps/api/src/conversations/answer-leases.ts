import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { MessagesService } from './messages.service';

/** How often a process renews the answers it streams, and sweeps the ones nobody renews. */
export const RENEW_EVERY_MS = 10_000;
/** An answer not renewed for this long belongs to a process that is gone. */
export const STALE_AFTER_MS = 60_000;

/**
 * Which `streaming` answers are still alive, with several API replicas on one database: each process
 * renews the answers it is streaming every `RENEW_EVERY_MS`, and every process (at boot, then on the
 * same beat) marks `interrupted` the ones nobody renewed for `STALE_AFTER_MS`. A replica that starts
 * while another streams leaves that stream alone; one that died has its answers closed by the others
 * within about a minute, or by itself when it comes back.
 */
@Injectable()
export class AnswerLeases implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AnswerLeases.name);
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;

  constructor(private readonly messages: MessagesService) {}

  /** This process streams the answer `id` until the returned release is called. */
  hold(id: string): () => void {
    this.held.add(id);
    return () => this.held.delete(id);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep();
    this.timer = setInterval(() => void this.tick(), RENEW_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Renews this process's answers, then sweeps; a failure is logged and retried on the next beat. */
  async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.messages.renew([...this.held]);
      await this.sweep();
    } catch (error) {
      this.logger.warn(`Could not renew or sweep streaming answers: ${(error as Error).message}`);
    } finally {
      this.ticking = false;
    }
  }

  private async sweep(): Promise<void> {
    const swept = await this.messages.interruptStale(STALE_AFTER_MS);
    if (swept > 0)
      this.logger.warn(`Marked ${swept} answer(s) left streaming by a stopped process as interrupted`);
  }
}
