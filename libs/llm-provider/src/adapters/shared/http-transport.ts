import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';

/** One keep-alive pool per protocol for every adapter in the process. */
export const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: Infinity }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: Infinity }),
} as const;

export function transportFor(url: URL): typeof http | typeof https | undefined {
  return url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : undefined;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, not yet read; destroying the request (or aborting its signal) ends it. */
  body: IncomingMessage;
}

/** Where requests go, parsed once (Node would otherwise turn a URL into options on every request). */
export interface HttpTarget {
  transport: typeof http | typeof https;
  agent: http.Agent;
  protocol: string;
  hostname: string;
  port: number;
  path: string;
}

export function httpTarget(url: URL): HttpTarget {
  const transport = transportFor(url);
  if (!transport) throw new TypeError(`unsupported protocol ${url.protocol}`);
  return {
    transport,
    agent: agents[url.protocol as keyof typeof agents],
    protocol: url.protocol,
    // Node wants an IPv6 literal without its brackets.
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port),
    path: url.pathname + url.search,
  };
}

/**
 * A POST over Node's own http client, resolving once the answer's headers are in. The abort signal
 * destroys the request at any point, the body's read included, which closes the upstream socket.
 */
export function post(
  target: HttpTarget,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = target.transport.request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: target.agent,
        signal,
      },
      (response) =>
        resolve({ status: response.statusCode ?? 502, headers: response.headers, body: response }),
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Reads a (small) body as text; an error answer never needs more than `limit` bytes to explain itself. */
export async function readText(body: IncomingMessage, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size < limit) chunks.push(chunk.subarray(0, limit - size));
    size += chunk.length;
  }
  return Buffer.concat(chunks).toString('utf8');
}
