import { passwordProblem, passwordStrength, passwordUserInputs } from './password-strength';

describe('password strength', () => {
  it.each(['password', '12345678', '        ', 'qwertyuiop', 'Password1!', 'iloveyou2024'])(
    'refuses %j',
    (password) => {
      expect(passwordProblem(password)).toBeDefined();
    },
  );

  it('accepts passphrases and random strings', () => {
    expect(passwordProblem('correct horse battery staple')).toBeUndefined();
    expect(passwordProblem('Vq7m-2Kx9-pL4w')).toBeUndefined();
  });

  it('says why, in the words of zxcvbn, after the field name', () => {
    expect(passwordProblem('password')).toBe(
      'is too easy to guess: This is a heavily used password. Add more words that are less common.',
    );
    expect(passwordProblem('short')).toBe('must be at least 8 characters');
    expect(passwordProblem('        ')).toBe('must not be only spaces');
  });

  it("counts the email's name as guessable", () => {
    const inputs = passwordUserInputs(' Grace.Hopperfield@Navy-Example.org ');
    expect(inputs).toEqual(
      expect.arrayContaining([
        'grace.hopperfield@navy-example.org',
        'grace.hopperfield',
        'hopperfield',
        'navy-example',
      ]),
    );
    expect(passwordProblem('hopperfield1906', inputs)).toMatch(/^is too easy to guess/);
    expect(passwordProblem('hopperfield1906')).toBeUndefined();
  });

  it('scores from 0 to 4', () => {
    expect(passwordStrength('password').score).toBe(0);
    expect(passwordStrength('correct horse battery staple').score).toBe(4);
  });
});
