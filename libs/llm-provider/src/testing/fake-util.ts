import { createHash, randomBytes } from 'node:crypto';
import type { FakeHttpError, FakeScript } from './fake-script';
import { DEFAULT_TOKENS } from './fake-script';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlnum(length: number, alphabet = ALNUM): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Go's `time.RFC3339Nano` in UTC, as Ollama writes `created_at`: nanosecond digits with trailing zeros
 * trimmed (and no fraction at all when it is zero).
 */
export function rfc3339Nano(
  ms = Date.now(),
  subMillisecondNanos = Number(process.hrtime.bigint() % 1_000_000n),
) {
  const iso = new Date(ms).toISOString(); // 2025-07-07T20:22:19.180Z
  const nanos = (((ms % 1000) + 1000) % 1000) * 1_000_000 + subMillisecondNanos;
  const fraction = String(nanos).padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** Go's `encoding/json` escapes `<`, `>`, `&`, U+2028 and U+2029 (they only ever occur inside strings). */
export function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Python's `json.dumps` defaults: `", "` / `": "` separators and `ensure_ascii` (vLLM's in-stream errors). */
export function pyJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.map(([k, v]) => `${pyJson(k)}: ${pyJson(v)}`).join(', ')}}`;
}

export function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** FNV-1a, 32 bits. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The deterministic vector every fake returns for `text`: the same text always gives the same vector,
 * different texts (almost surely) differ. Each value is k/256 for an integer k in [-256, 256], so it is
 * exact in float32 and survives the base64 (little-endian float32) round trip unchanged.
 */
export function fakeEmbedding(text: string, dimensions = 8): number[] {
  // The text is hashed once, not once per dimension: a long input with many dimensions stays fast.
  const seed = fnv1a(text);
  const out: number[] = [];
  for (let i = 0; i < dimensions; i++) out.push(((fnv1a(`${i}\u0000${seed}`) % 513) - 256) / 256);
  return out;
}

export function float32Base64(values: readonly number[]): string {
  const buffer = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}

/** The texts of an embeddings `input`: a string, strings, token ids, or arrays of token ids. */
export function embeddingTexts(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return undefined;
  if (input.length > 0 && input.every((item) => typeof item === 'number')) return [input.join(' ')];
  const texts: string[] = [];
  for (const item of input) {
    if (typeof item === 'string') texts.push(item);
    else if (Array.isArray(item)) texts.push(item.join(' '));
    else return undefined;
  }
  return texts;
}

/** Splits tool-call argument text into at least two fragments (by code point: no lone surrogates). */
export function splitArguments(text: string): string[] {
  const chars = Array.from(text);
  if (chars.length < 2) return [text, ''];
  const parts = Math.max(2, Math.ceil(chars.length / 16));
  const size = Math.ceil(chars.length / parts);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

/**
 * Splits tool-call argument text the way a tokenizer would, into runs of word characters and runs of
 * the rest (`{"`, `city`, `":"`, `Oslo`, `"}`); at least two fragments, as `splitArguments` gives.
 */
export function tokenFragments(text: string): string[] {
  const runs = text.match(/[\p{L}\p{N}_]+|[^\p{L}\p{N}_]+/gu) ?? [];
  return runs.length >= 2 ? runs : splitArguments(text);
}

export function retryHeaders(error: FakeHttpError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(error.retryAfterMs);
  return headers;
}

export interface ScriptPlan {
  tokens: string[];
  reasoning: string[];
  toolCalls: NonNullable<FakeScript['toolCalls']>;
  finishReason: NonNullable<FakeScript['finishReason']>;
  promptTokens: number;
  completionTokens: number;
}

/** A script with its defaults filled in. */
export function planOf(script: FakeScript): ScriptPlan {
  const tokens = script.tokens ?? DEFAULT_TOKENS;
  const toolCalls = script.toolCalls ?? [];
  return {
    tokens,
    reasoning: script.reasoning ?? [],
    toolCalls,
    finishReason: script.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
    promptTokens: script.usage?.promptTokens ?? 12,
    completionTokens: script.usage?.completionTokens ?? tokens.length,
  };
}

/**
 * How long a non-streamed answer takes to be ready: what the stream would have spent before its last
 * token (the stall before the first token, the delays between events, a mid-stream stall).
 */
export function nonStreamWaitMs(script: FakeScript, plan: ScriptPlan): number {
  return (
    (script.stallBeforeFirstTokenMs ?? 0) +
    (script.delayMs ?? 0) * plan.tokens.length +
    (script.stallAfter ? script.stallAfter.ms : 0)
  );
}
