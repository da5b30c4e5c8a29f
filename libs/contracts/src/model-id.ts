import { z } from 'zod';

export const MODEL_ID_MAX_LENGTH = 256;

/** Printable ASCII, U+0021 to U+007E: no space, no control character, nothing outside ASCII. */
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * A model id, as the API's bodies and the gateway's requests take it: `llama3.2`, `llama3.2:latest`,
 * `ollama/llama3.2`, `meta-llama/Llama-3.1-8B-Instruct`, a routing-file alias. Trimmed, then 1 to 256
 * printable ASCII characters: an id travels on to upstreams, into response headers
 * (`x-sluice-model`), logs and metrics, where a line break, a NUL or an emoji does not belong.
 */
export const modelIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be blank')
  .max(MODEL_ID_MAX_LENGTH, `must be at most ${MODEL_ID_MAX_LENGTH} characters`)
  .regex(PRINTABLE_ASCII, 'may contain only printable ASCII characters (no spaces or control characters)');
