import { bearerToken, TokenVerifier } from './token-verifier';

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier(['first-token-0123456789', 'second-token-0123456789']);

  it('accepts every configured token and nothing else', () => {
    expect(verifier.verify('first-token-0123456789')).toBe(true);
    expect(verifier.verify('second-token-0123456789')).toBe(true);
    expect(verifier.verify('first-token-012345678')).toBe(false);
    expect(verifier.verify('first-token-0123456789x')).toBe(false);
    expect(verifier.verify('')).toBe(false);
  });

  it('is open only when no token is configured', () => {
    expect(verifier.open).toBe(false);
    expect(new TokenVerifier([]).open).toBe(true);
    expect(new TokenVerifier([]).verify('anything')).toBe(false);
  });
});

describe('bearerToken', () => {
  it('reads the token of a Bearer header, any case of the scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer  abc ')).toBe('abc');
    expect(bearerToken(['Bearer abc', 'Bearer def'])).toBe('abc');
  });

  it('has none for other schemes and malformed headers', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('Basic YTpi')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken('Bearer a b')).toBeUndefined();
  });
});
