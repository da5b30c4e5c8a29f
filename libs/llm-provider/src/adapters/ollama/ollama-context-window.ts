/** What `POST /api/show` says about a model's context (the rest of its answer is not needed here). */
export interface OllamaShown {
  model_info?: unknown;
  /** The Modelfile's parameters, one `name value` per line. */
  parameters?: unknown;
}

/**
 * The context window a model runs with: the length it was trained for (`<architecture>.context_length`
 * in `model_info`), or the Modelfile's `num_ctx` when that is smaller, since Ollama then allocates only
 * that much. `undefined` when the answer has neither.
 */
export function contextWindowOf(shown: OllamaShown): number | undefined {
  const known = [trainedContextLength(shown.model_info), numCtxOf(shown.parameters)].filter(
    (length): length is number => length !== undefined,
  );
  return known.length === 0 ? undefined : Math.min(...known);
}

function trainedContextLength(info: unknown): number | undefined {
  if (typeof info !== 'object' || info === null) return undefined;
  const fields = info as Record<string, unknown>;
  const architecture = fields['general.architecture'];
  if (typeof architecture !== 'string') return undefined;
  return positiveInteger(fields[`${architecture}.context_length`]);
}

function numCtxOf(parameters: unknown): number | undefined {
  if (typeof parameters !== 'string') return undefined;
  const match = /^num_ctx\s+(\d+)\s*$/m.exec(parameters);
  return match ? positiveInteger(Number(match[1])) : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}
