/** Holds a fake to a recorded exchange (the fakes' own specs; not exported from the testing entry point). */
import { type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { normalise } from './fake-spec-helpers';
import { bodyOf, headerOf, type WireFixture } from './wire-fixture';

export interface ObservedAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  ending: 'end' | 'cut';
}

/** Sends the fixture's request to a fake at `url` and records the answer as it came, a cut included. */
export function observe(
  url: string,
  fixture: WireFixture,
  headers: Record<string, string> = {},
): Promise<ObservedAnswer> {
  const { method, path, body } = fixture.request;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${url}${path}`,
      { method, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', () => undefined);
        res.on('close', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ending: res.complete ? 'end' : 'cut',
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The headers a client acts on; the rest (dates, request ids, rate-limit counters) may differ. */
export const HEADERS_THAT_MATTER = ['content-type', 'retry-after', 'retry-after-ms', 'transfer-encoding'];

/** `normalise`, and every duration too: a real server's are measured, a fake's computed. */
export function normaliseWire(text: string): string {
  return normalise(text).replace(/("(?:load|prompt_eval|eval)_duration": ?)\d+/g, '$10');
}

/**
 * A body as its frames (NDJSON lines with their newline, SSE events with their blank line, else the
 * whole body), normalised; after a cut, the frame the cut fell in is left out, since a fake cuts
 * between frames and a real connection anywhere.
 */
export function framesOf(body: string, contentType: string, ending: 'end' | 'cut'): string[] {
  const separator = contentType.includes('ndjson')
    ? '\n'
    : contentType.includes('event-stream')
      ? '\n\n'
      : '';
  const normalised = normaliseWire(body);
  if (separator === '') return [normalised];
  const parts = normalised.split(separator);
  const rest = parts.pop() ?? '';
  const frames = parts.map((part) => part + separator);
  if (rest !== '' && ending === 'end') frames.push(rest);
  return frames;
}

/** What a fake answered, in the terms a fixture is compared in. */
export function wireView(answer: {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ending: 'end' | 'cut';
}) {
  const headers: Record<string, string> = {};
  for (const name of HEADERS_THAT_MATTER) {
    const value = answer.headers[name];
    if (value !== undefined) headers[name] = String(value);
  }
  const type = headers['content-type'] ?? '';
  return {
    status: answer.status,
    headers,
    ending: answer.ending,
    frames: framesOf(answer.body, type, answer.ending),
  };
}

/** The same view of what the fixture recorded. */
export function recordedView(fixture: WireFixture) {
  const headers: Record<string, string> = {};
  for (const name of HEADERS_THAT_MATTER) {
    const value = headerOf(fixture, name);
    if (value !== undefined) headers[name] = value;
  }
  return wireView({ ...fixture.response, headers, body: bodyOf(fixture) });
}

/** Drives a fake with the fixture's own request; both views, for `expect(fake).toEqual(recorded)`. */
export async function compareWithFixture(
  url: string,
  fixture: WireFixture,
  headers: Record<string, string> = {},
): Promise<{ fake: ReturnType<typeof wireView>; recorded: ReturnType<typeof wireView> }> {
  return { fake: wireView(await observe(url, fixture, headers)), recorded: recordedView(fixture) };
}
