import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The upstreams whose wire exchanges are recorded under `fixtures/<server>/`. */
export type WireServer = 'ollama' | 'openai' | 'vllm';

/**
 * One recorded exchange with an upstream, as its server wrote it (docs/wire-formats.md#fixtures): one
 * file per exchange under `fixtures/<server>/<name>.json`, the body kept as the server's writes so
 * that framing (NDJSON lines, `data: ` lines and blank lines, a cut mid-line) stays byte for byte.
 */
export interface WireFixture {
  /** `<server>/<name>`, from the file's path. */
  name: string;
  server: WireServer;
  /** What the exchange shows. */
  description: string;
  /** Where the bytes come from: the server and version, and the source of its format. */
  source: string;
  request: { method: 'GET' | 'POST'; path: string; body?: unknown };
  response: {
    status: number;
    /** The headers that matter, as the server sends them. */
    headers: Record<string, string>;
    /** The body as the server wrote it, one element per write (UTF-8 text). */
    body: string[];
    /** `end`: the response completes; `cut`: the connection closes after the last write, mid-body. */
    ending: 'end' | 'cut';
  };
}

const ROOT = join(__dirname, 'fixtures');

/** Reads `fixtures/<name>.json` (`name` as `ollama/chat-text`) and checks it is well formed. */
export function loadWireFixture(name: string): WireFixture {
  const [server, file] = name.split('/');
  const raw = JSON.parse(readFileSync(join(ROOT, `${name}.json`), 'utf8')) as Omit<
    WireFixture,
    'name' | 'server'
  >;
  const fixture: WireFixture = { name, server: server as WireServer, ...raw };
  const problem = problemOf(fixture);
  if (problem || !file) throw new Error(`wire fixture ${name}: ${problem ?? 'no file name'}`);
  return fixture;
}

/** Every fixture of one server, by name. */
export function wireFixtures(server: WireServer): WireFixture[] {
  return readdirSync(join(ROOT, server))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => loadWireFixture(`${server}/${file.slice(0, -'.json'.length)}`));
}

/** The body as one text. */
export function bodyOf(fixture: WireFixture): string {
  return fixture.response.body.join('');
}

/** A header of the recorded response, whatever the case of its name. */
export function headerOf(fixture: WireFixture, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return Object.entries(fixture.response.headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
}

function problemOf(fixture: WireFixture): string | undefined {
  const { response } = fixture;
  if (!Number.isInteger(response.status) || response.status < 100) return 'no valid status';
  if (!Array.isArray(response.body) || response.body.some((write) => typeof write !== 'string'))
    return 'the body must be a list of writes';
  if (response.ending !== 'end' && response.ending !== 'cut') return 'ending must be end or cut';
  const length = headerOf(fixture, 'content-length');
  const chunked = headerOf(fixture, 'transfer-encoding') === 'chunked';
  if (length !== undefined && chunked) return 'both Content-Length and chunked';
  const bytes = Buffer.byteLength(bodyOf(fixture));
  if (length !== undefined && response.ending === 'end' && Number(length) !== bytes)
    return `Content-Length ${length} but the body has ${bytes} bytes`;
  if (length === undefined && !chunked) return 'neither Content-Length nor chunked';
  return undefined;
}
