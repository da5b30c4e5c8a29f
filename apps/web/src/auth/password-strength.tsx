import { PASSWORD_MIN_LENGTH } from '@sluice/contracts';
import type * as PasswordRulesModule from '@sluice/contracts/password-strength';
import { useEffect, useState } from 'react';

export type PasswordRules = typeof PasswordRulesModule;

// A chunk of its own (the dictionaries are large), loaded only where a new password is typed.
export const loadPasswordRules = (): Promise<PasswordRules> => import('@sluice/contracts/password-strength');

const STRENGTH_WORDS = ['very weak', 'weak', 'fair', 'strong', 'very strong'] as const;

/** The strength rules once loaded (null until then, and when not `wanted`). */
export function usePasswordRules(wanted: boolean): PasswordRules | null {
  const [rules, setRules] = useState<PasswordRules | null>(null);
  useEffect(() => {
    if (!wanted) return;
    let mounted = true;
    void loadPasswordRules().then((loaded) => mounted && setRules(() => loaded));
    return () => {
      mounted = false;
    };
  }, [wanted]);
  return rules;
}

/** Why the API would refuse this new password (the same rule), or undefined. */
export async function newPasswordProblem(
  rules: PasswordRules | null,
  password: string,
  email: string,
): Promise<string | undefined> {
  const loaded = rules ?? (await loadPasswordRules());
  return loaded.passwordProblem(password, loaded.passwordUserInputs(email));
}

export interface PasswordStrengthProps {
  /** The ids the password input's `aria-describedby` names: `${id}-hint` and `${id}-strength`. */
  id: string;
  password: string;
  email: string;
  rules: PasswordRules | null;
}

/** The rule and a live strength meter under a new-password field. */
export function PasswordStrength({ id, password, email, rules }: PasswordStrengthProps) {
  const strength =
    rules && password !== '' ? rules.passwordStrength(password, rules.passwordUserInputs(email)) : undefined;
  return (
    <>
      <p className="field__hint" id={`${id}-hint`}>
        At least {PASSWORD_MIN_LENGTH} characters and hard to guess: a few uncommon words, not your name or
        email.
      </p>
      <div className="strength">
        <meter
          className="strength__meter"
          min={0}
          max={4}
          low={2}
          high={3}
          optimum={4}
          value={strength?.score ?? 0}
          aria-labelledby={`${id}-strength`}
        />
        <p className="field__hint" id={`${id}-strength`} aria-live="polite">
          {strength === undefined
            ? password !== '' && rules === null
              ? 'Checking the strength…'
              : 'Strength: not rated yet'
            : `Strength: ${STRENGTH_WORDS[strength.score]}${strength.problem === undefined ? '' : ' (not enough)'}`}
        </p>
      </div>
    </>
  );
}
