import type { LlmTimeouts } from '../../contract';

/** The call's own deadlines win over the provider's defaults, one by one. */
export function mergeTimeouts(defaults: LlmTimeouts, call: LlmTimeouts | undefined): LlmTimeouts {
  return call ? { ...defaults, ...definedOnly(call) } : defaults;
}

function definedOnly(timeouts: LlmTimeouts): LlmTimeouts {
  const out: LlmTimeouts = {};
  for (const key of ['connectMs', 'firstTokenMs', 'idleMs', 'totalMs'] as const) {
    if (timeouts[key] !== undefined) out[key] = timeouts[key];
  }
  return out;
}
