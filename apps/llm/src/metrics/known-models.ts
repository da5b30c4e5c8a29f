import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LlmRegistry, type LlmModelInfo } from '@sluice/llm-provider';

/** The list is refreshed at most this often, and only when a lookup finds it this old. */
export const KNOWN_MODELS_REFRESH_MS = 60_000;
/** An upstream that lists thousands of models does not get thousands of label values. */
export const MAX_KNOWN_MODELS = 1_000;
const LISTING_TIMEOUTS = { connectMs: 5_000, totalMs: 10_000 };
/** How long the boot waits for the first list (a hung upstream must not hold the start). */
const BOOT_WAIT_MS = 1_000;

/** The names a caller may use for a listed model: bare, with its provider's prefix, and untagged. */
function namesOf(model: LlmModelInfo): string[] {
  const names = [model.id, `${model.provider}/${model.id}`, `${model.provider}:${model.id}`];
  // Ollama serves `llama3.2` as `llama3.2:latest`, and lists only the latter.
  if (model.id.endsWith(':latest')) names.push(model.id.slice(0, -':latest'.length));
  return names;
}

/**
 * The model ids the gateway's metrics may use as label values: the routing file's aliases and the
 * models the upstreams list. Callers choose the model string, so anything else shares one value.
 * A lookup never waits: the list is fetched at boot (which waits for it up to a second) and, when a
 * lookup finds it older than a minute, again in the background; until then, and for an upstream that
 * cannot be listed, the last list stands.
 */
@Injectable()
export class KnownModels implements OnApplicationBootstrap, OnApplicationShutdown {
  private ids: ReadonlySet<string>;
  private listedAt = -Infinity;
  private listing = false;
  private readonly shutdown = new AbortController();

  constructor(private readonly registry: LlmRegistry) {
    this.ids = new Set(registry.aliases);
  }

  async onApplicationBootstrap(): Promise<void> {
    const first = this.refreshIfStale();
    if (!first) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([first, new Promise((resolve) => (timer = setTimeout(resolve, BOOT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  onApplicationShutdown(): void {
    this.shutdown.abort();
  }

  has(model: string): boolean {
    void this.refreshIfStale();
    return this.ids.has(model);
  }

  /** Starts a refresh when the list is stale and none is running; its promise never rejects. */
  private refreshIfStale(): Promise<void> | undefined {
    const now = performance.now();
    if (this.listing || now - this.listedAt < KNOWN_MODELS_REFRESH_MS || this.shutdown.signal.aborted) {
      return undefined;
    }
    this.listing = true;
    this.listedAt = now;
    return this.refresh().finally(() => {
      this.listing = false;
    });
  }

  private async refresh(): Promise<void> {
    let listing;
    try {
      listing = await this.registry.listModels({ signal: this.shutdown.signal, timeouts: LISTING_TIMEOUTS });
    } catch {
      return;
    }
    // An upstream that could not be listed keeps the names it had.
    const ids = new Set<string>(listing.errors.length > 0 ? this.ids : []);
    for (const alias of this.registry.aliases) ids.add(alias);
    for (const model of listing.models) {
      for (const name of namesOf(model)) {
        if (ids.size >= MAX_KNOWN_MODELS) break;
        ids.add(name);
      }
    }
    this.ids = ids;
  }
}
