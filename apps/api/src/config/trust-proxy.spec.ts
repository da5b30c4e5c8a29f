import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigError } from '@sluice/contracts';
import { loadApiConfig } from './api-config';
import { fastifyTrustProxy } from './trust-proxy';

function trustProxyIssues(value: string): string[] {
  try {
    loadApiConfig({ TRUST_PROXY: value });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('TRUST_PROXY', () => {
  it.each([
    [undefined, false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['10.0.0.1', ['10.0.0.1']],
    [' 10.0.0.0/8, fd00::/8 ,loopback', ['10.0.0.0/8', 'fd00::/8', 'loopback']],
  ])('%s → %j', (value, expected) => {
    expect(loadApiConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('refuses true, which trusts every hop, and says what to give instead', () => {
    const [issue] = trustProxyIssues('true');
    expect(issue).toMatch(/^TRUST_PROXY: true trusts any X-Forwarded-For/);
    expect(issue).toContain('number of proxies');
    expect(issue).toContain('addresses');
  });

  it.each(['yes', '1.2.3.4/33', '10.0.0.1,nginx', '-1', '1.5'])('refuses %s', (value) => {
    expect(trustProxyIssues(value)).toEqual([expect.stringMatching(/^TRUST_PROXY: must be false/)]);
  });
});

describe('the client address Fastify sees (real socket)', () => {
  let server: FastifyInstance;
  let url: string;

  const start = async (value: string) => {
    server = Fastify({ trustProxy: fastifyTrustProxy(loadApiConfig({ TRUST_PROXY: value }).trustProxy) });
    server.get('/ip', (request) => ({ ip: request.ip }));
    url = await server.listen({ host: '127.0.0.1', port: 0 });
  };
  const ipFor = async (forwardedFor?: string): Promise<string> => {
    const response = await fetch(`${url}/ip`, {
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });
    return ((await response.json()) as { ip: string }).ip;
  };

  afterEach(() => server?.close());

  it('TRUST_PROXY=1: the address the one proxy wrote, whatever the client put before it', async () => {
    await start('1');
    expect(await ipFor('203.0.113.7')).toBe('203.0.113.7');
    expect(await ipFor('198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ipFor('198.51.100.2, 198.51.100.3, 203.0.113.7')).toBe('203.0.113.7');
    expect(await ipFor()).toBe('127.0.0.1');
  });

  it('TRUST_PROXY=<the proxy address>: the same, and nothing from any other peer', async () => {
    await start('127.0.0.1');
    expect(await ipFor('198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    await server.close();
    await start('10.0.0.0/8');
    expect(await ipFor('203.0.113.7')).toBe('127.0.0.1');
  });

  it('TRUST_PROXY=false: the peer, X-Forwarded-For ignored', async () => {
    await start('false');
    expect(await ipFor('203.0.113.7')).toBe('127.0.0.1');
  });
});
