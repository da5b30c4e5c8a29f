import type { LlmTimeouts } from '../../contract';

/** The call's own deadlines win over the provider's defaults, one by one. */
export function mergeTimeouts(defaults: LlmTimeouts, call: LlmTimeouts | undefined): LlmTimeouts {
  return call ? { ...defaults, ...definedOnly(call) } : defaults;
}

function definedOnly(timeouts: LlmTimeouts): LlmTimeouts {
  return Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined)) as LlmTimeouts;
}
