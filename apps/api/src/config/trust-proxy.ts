import { isIP } from 'node:net';
import type { FastifyServerOptions } from 'fastify';
import { z } from 'zod';

/** Which proxies' X-Forwarded-For the API believes: none, the nearest N hops, or these addresses. */
export type TrustProxy = false | number | string[];

/** An IP, an IP/prefix, or one of proxy-addr's names for a reserved range. */
function isProxyAddress(value: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(value)) return true;
  const [ip, prefix, extra] = value.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: `false` or `0`, a hop count (`1`), or comma-separated addresses and CIDRs. Never
 * `true`: trusting every hop makes the client's own leftmost X-Forwarded-For entry its address.
 */
export const trustProxySchema = z
  .string()
  .trim()
  .default('false')
  .superRefine((value, ctx) => {
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message:
          'true trusts any X-Forwarded-For a client sends: give the number of proxies in front of the API (e.g. 1) or their addresses (e.g. 10.0.0.0/8)',
      });
      return;
    }
    if (value === 'false' || /^\d+$/.test(value)) return;
    const wrong = value.split(',').filter((address) => !isProxyAddress(address.trim()));
    if (wrong.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be false, a number of proxies or comma-separated addresses/CIDRs (not ${wrong.join(', ')})`,
      });
    }
  })
  .transform((value): TrustProxy => {
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value) === 0 ? false : Number(value);
    return value.split(',').map((address) => address.trim());
  });

/**
 * Fastify's option. A hop count becomes a function: Fastify 5.12 trusts nothing for a bare number
 * (it cannot tell a proxy from a client that connects directly), which would give every client the
 * proxy's address and one shared rate limit. So with a count, only the proxies may reach the API.
 */
export function fastifyTrustProxy(trust: TrustProxy): FastifyServerOptions['trustProxy'] {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust;
}
