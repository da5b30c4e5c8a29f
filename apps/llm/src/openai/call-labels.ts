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

/** Records which upstream a failed call ended on, when the error says. */
export function noteFailure(call: CallRecord, error: unknown): void {
  if (LlmError.is(error) && error.provider !== undefined) call.provider = error.provider;
}
