import { LlmError, type LlmRegistry } from '@sluice/llm-provider';
import type { CallRecord } from '../logging/request-context';

/**
 * The provider a model reference goes to first (an alias's chain may fall over to others; the
 * controllers then record the one that served or failed last).
 */
export async function firstProvider(registry: LlmRegistry, model: string): Promise<string | undefined> {
  try {
    return (await registry.chain(model))[0]?.provider.id;
  } catch {
    return undefined;
  }
}

/**
 * Records what a failed call ended on: the upstream, when the error says, and the error's own words
 * for the log line (the caller only gets a plain sentence).
 */
export function noteFailure(call: CallRecord, error: unknown): void {
  if (!LlmError.is(error)) return;
  if (error.provider !== undefined) call.provider = error.provider;
  call.error ??= error.message;
}
