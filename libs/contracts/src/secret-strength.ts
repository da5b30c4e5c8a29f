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
 * A gateway token is only ever checked online, by the gateway itself: 2^48 guesses over the network
 * are out of reach, and a random token of the documented minimum, 16 hex characters, scores at least
 * 55 by this estimate (`openssl rand -hex 32` scores over 150).
 */
export const GATEWAY_TOKEN_MIN_BITS = 48;

/**
 * An estimate of the secret's entropy in bits, erring low. Only the shortest unit the value repeats
 * counts (`abcabcabc` is `abc`). Its bits are the lesser of two: its length times the bits of the
 * character classes it draws from (lower case, upper case, digits, the rest), what a random generator
 * over those classes would give; and twice its Shannon entropy, which sees how varied the characters
 * really are (a short random string's Shannon estimate falls as low as half its true entropy). It
 * cannot see dictionary words; it catches `aaaa…`, `abab…`, `secretsecret…` and similar filler.
 */
export function estimateSecretBits(value: string): number {
  const unit = [...value.slice(0, shortestPeriod(value))];
  const counts = new Map<string, number>();
  for (const char of unit) counts.set(char, (counts.get(char) ?? 0) + 1);
  let shannonBitsPerChar = 0;
  for (const count of counts.values()) {
    const p = count / unit.length;
    shannonBitsPerChar -= p * Math.log2(p);
  }
  const poolBitsPerChar = Math.log2(Math.max(1, poolSize(unit)));
  return unit.length * Math.min(poolBitsPerChar, 2 * shannonBitsPerChar);
}

const CHARACTER_CLASSES: [RegExp, number][] = [
  [/[a-z]/, 26],
  [/[A-Z]/, 26],
  [/[0-9]/, 10],
  [/[^a-zA-Z0-9]/, 33],
];

function poolSize(chars: string[]): number {
  let size = 0;
  for (const [pattern, members] of CHARACTER_CLASSES) {
    if (chars.some((char) => pattern.test(char))) size += members;
  }
  return size;
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
