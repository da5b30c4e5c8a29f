import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The one definition of the security headers: helmet sends them on every answer of the API (the web
 * app it serves, the JSON, the chat's event stream), and the web image's nginx sends the same values
 * (docker/nginx/security-headers.conf; tools/deploy checks the two against each other).
 *
 * The app's own files only: no inline script or style (React sets `style` through the DOM, which CSP
 * allows), no frames, no plugins, and the API on the same origin.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * The OpenAPI UI (`/api/docs`, off in production unless API_DOCS=true) is Swagger's page, with an
 * inline `<style>` and `style` attributes of its own: it may use inline styles, still no inline script.
 */
export const DOCS_CONTENT_SECURITY_POLICY = {
  ...CONTENT_SECURITY_POLICY,
  'style-src': ["'self'", "'unsafe-inline'"],
};
const DOCS_PREFIX = '/api/docs';

function headerValue(policy: Record<string, string[]>): string {
  return Object.entries(policy)
    .map(([directive, sources]) => `${directive} ${sources.join(' ')}`)
    .join(';');
}

export const SECURITY_HEADERS_OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  // HSTS belongs to whoever terminates TLS (an Ingress, a load balancer): over plain HTTP browsers
  // ignore it, and here it would pin every subdomain of a host this app does not own to HTTPS.
  strictTransportSecurity: false,
};

/** Registers helmet on the whole Fastify instance: every route, including the static files. */
export async function useSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  await fastify.register(helmet, SECURITY_HEADERS_OPTIONS);
  const docsPolicy = headerValue(DOCS_CONTENT_SECURITY_POLICY);
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.url === DOCS_PREFIX || request.url.startsWith(`${DOCS_PREFIX}/`)) {
      void reply.header('content-security-policy', docsPolicy);
    }
    done();
  });
}
