import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';
import { newPasswordSchema } from './auth';

/**
 * zxcvbn's 3, "safely unguessable": about 10^8 to 10^10 guesses, out of reach of an online attack
 * (login is rate limited) and costly offline against argon2 hashes. zxcvbn's authors recommend it as
 * the floor; 4 would refuse many passphrases people can still remember.
 */
export const PASSWORD_MIN_SCORE = 3;

export type PasswordScore = 0 | 1 | 2 | 3 | 4;

export interface PasswordStrength {
  /** zxcvbn's estimate, 0 (guessed at once) to 4 (very hard to guess). */
  score: PasswordScore;
  /** Why the password is refused (a sentence after "Password …"); undefined when it is accepted. */
  problem: string | undefined;
}

// Built on first use: ranking the dictionaries takes a few hundred milliseconds.
let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
    graphs: zxcvbnCommon.adjacencyGraphs,
    translations: zxcvbnEn.translations,
  });
  return zxcvbn;
}

/** The words of an email an attacker would try first: the address, its name, its parts and its domain. */
export function passwordUserInputs(email: string): string[] {
  const address = email.trim().toLowerCase();
  const [name = '', domain = ''] = address.split('@');
  const words = [address, name, ...name.split(/[^\p{L}\p{N}]+/u), domain, ...domain.split('.')];
  return [...new Set(words.filter((word) => word.length >= 3))];
}

/**
 * The sign-up rule for a new password, the same in the API and the web app: at least 8 characters,
 * not only whitespace, and a zxcvbn score of at least `PASSWORD_MIN_SCORE` with `userInputs` (the
 * words of the user's email: `passwordUserInputs`) counted as guessable.
 */
export function passwordStrength(password: string, userInputs: string[] = []): PasswordStrength {
  const basic = newPasswordSchema.safeParse(password);
  if (!basic.success) return { score: 0, problem: basic.error.issues[0]?.message ?? 'is not allowed' };
  const result = estimator().check(password, userInputs);
  const score: PasswordScore = result.score;
  if (score >= PASSWORD_MIN_SCORE) return { score, problem: undefined };
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ');
  return { score, problem: why === '' ? 'is too easy to guess' : `is too easy to guess: ${why}` };
}

/** Why `password` may not be a new password (register, change password); undefined when it may. */
export function passwordProblem(password: string, userInputs: string[] = []): string | undefined {
  return passwordStrength(password, userInputs).problem;
}
