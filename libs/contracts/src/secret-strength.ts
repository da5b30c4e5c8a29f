/**
 * Refuses secrets that are set but guessable: the placeholders this repository ships (`.env.example`,
 * the README, the Kubernetes example Secret) and values with little entropy. Used by the API and the
 * gateway at boot when NODE_ENV=production.
 */

/**
 * JWT_SECRET signs every session: 128 bits is the usual floor for a symmetric key (an HMAC key
 * shorter than that is the weakest link of HS256). `openssl rand -base64 48` gives ~380 bits by
 * this estimate.
 */
export const JWT_SECRET_MIN_BITS = 128;
/**
 * A gateway token is only ever checked online, by the gateway itself, so 2^64 guesses are out of
 * reach. The estimate undercounts short strings (16 random characters score 56–64), so tokens
 * should be 32+ characters: `openssl rand -hex 32` gives ~240.
 */
export const GATEWAY_TOKEN_MIN_BITS = 64;

/**
 * An estimate of the secret's entropy in bits, erring low: the shortest unit the value repeats (so
 * `abcabcabc` counts as `abc`), times the Shannon entropy per character of that unit. It cannot see
 * dictionary words or sequences; it catches `aaaa…`, `abab…` and similar keyboard filler.
 */
export function estimateSecretBits(value: string): number {
  const unit = value.slice(0, shortestPeriod(value));
  const counts = new Map<string, number>();
  for (const char of unit) counts.set(char, (counts.get(char) ?? 0) + 1);
  const length = [...unit].length;
  let bitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / length;
    bitsPerChar -= p * Math.log2(p);
  }
  return bitsPerChar * length;
}

const GENERATE = 'generate a random one (openssl rand -hex 32)';

/** Why `value` may not be a production secret, or undefined when it may. */
export function weakSecretProblem(value: string, minBits: number): string | undefined {
  const normalised = value.trim().toLowerCase();
  // Every example secret in this repository (.env.example, README.md, the Kubernetes example Secret)
  // starts with `change-me`.
  if (/^change[-_ ]?me/.test(normalised)) {
    return `is a placeholder from the examples: ${GENERATE}`;
  }
  const bits = estimateSecretBits(value);
  if (bits < minBits) {
    return `looks guessable (about ${Math.floor(bits)} bits of entropy, at least ${minBits} needed): ${GENERATE}`;
  }
  return undefined;
}

/** The length of the shortest prefix that `value` is made of, repeated (a partial last copy allowed). */
function shortestPeriod(value: string): number {
  for (let period = 1; period < value.length; period++) {
    let repeats = true;
    for (let i = period; i < value.length && repeats; i++) repeats = value[i] === value[i - period];
    if (repeats) return period;
  }
  return value.length;
}
