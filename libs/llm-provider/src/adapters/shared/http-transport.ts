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

/**
 * A POST over Node's own http client, resolving once the answer's headers are in. The abort signal
 * destroys the request at any point, the body's read included, which closes the upstream socket.
 */
export function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const transport = transportFor(url);
  if (!transport) return Promise.reject(new TypeError(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const request = transport.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: agents[url.protocol as keyof typeof agents],
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
