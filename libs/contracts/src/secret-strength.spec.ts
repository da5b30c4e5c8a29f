import { randomBytes } from 'node:crypto';
import {
  estimateSecretBits,
  GATEWAY_TOKEN_MIN_BITS,
  JWT_SECRET_MIN_BITS,
  weakSecretProblem,
} from './secret-strength';

describe('weakSecretProblem', () => {
  it.each([
    'change-me-to-32-or-more-random-characters',
    'change-me-gateway-token-16-plus-characters',
    'CHANGE-ME-to-32-or-more-random-characters',
    'change-me-to-a-long-random-token',
    'changeme0123456789abcdefghijklmnopqrstuvwxyz',
  ])('refuses the placeholder %j', (value) => {
    expect(weakSecretProblem(value, GATEWAY_TOKEN_MIN_BITS)).toMatch(/^is a placeholder/);
  });

  it.each(['a'.repeat(36), 'ab'.repeat(32), 'secret'.repeat(8), '0123456789abcdef'.repeat(4)])(
    'refuses the low-entropy %j for JWT_SECRET',
    (value) => {
      expect(weakSecretProblem(value, JWT_SECRET_MIN_BITS)).toMatch(/^looks guessable/);
    },
  );

  it('accepts what the docs tell people to generate', () => {
    // openssl rand -hex 32, openssl rand -base64 48
    const hex = 'a3f1c9e07b5d24681f0e9c3b7a2d5e4f6b8c1d0e3f2a5b4c7d6e9f8a1b0c3d2e';
    const base64 = 'q3Jk9Xv2mPz8Lw0Rt5Yb1Nc7Hs4Gd6Fa+Ue/Ki3Oj8Wl2Zx9Cv5Bn1Mq7Ep4Ry0Tt';
    expect(weakSecretProblem(hex, JWT_SECRET_MIN_BITS)).toBeUndefined();
    expect(weakSecretProblem(base64, JWT_SECRET_MIN_BITS)).toBeUndefined();
    expect(weakSecretProblem('k7Qp2xVw9Lm4Rt8Z', GATEWAY_TOKEN_MIN_BITS)).toBeUndefined();
  });

  it('accepts every random token of the documented minimum length, 16 characters', () => {
    const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    for (let i = 0; i < 2_000; i++) {
      const hex = randomBytes(8).toString('hex');
      const text = [...randomBytes(16)].map((byte) => alphanumeric[byte % 62]).join('');
      expect(weakSecretProblem(hex, GATEWAY_TOKEN_MIN_BITS)).toBeUndefined();
      expect(weakSecretProblem(text, GATEWAY_TOKEN_MIN_BITS)).toBeUndefined();
    }
  });

  it('estimates from the repeated unit and its character spread', () => {
    expect(estimateSecretBits('a'.repeat(100))).toBe(0);
    // The unit `abcd`: 4 characters, each at most twice its Shannon bits (2).
    expect(estimateSecretBits('abcd'.repeat(10))).toBeCloseTo(16);
    // Varied enough: capped by what a lower-case generator gives, log2(26) a character.
    expect(estimateSecretBits('abcdefgh')).toBeCloseTo(8 * Math.log2(26));
    expect(estimateSecretBits('0123456789')).toBeCloseTo(10 * Math.log2(10));
  });
});
