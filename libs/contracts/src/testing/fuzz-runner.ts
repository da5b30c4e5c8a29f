import fc from 'fast-check';
import { describeFuzzRequest, type FuzzRequest } from './fuzz-bodies';

/** What came back for one fuzz request, read to its end (a stream too). */
export interface FuzzAnswer {
  status: number;
  contentType: string;
  text: string;
}

export interface FuzzRouteOptions {
  /** `POST /v1/chat/completions`: the method is its first word. */
  route: string;
  requests: fc.Arbitrary<FuzzRequest>;
  /** The URL of one request (a route whose path changes over the run may compute it each time). */
  url: () => string | Promise<string>;
  headers?: Record<string, string>;
  /** What is wrong with an answer beyond a 5xx (its error shape, a stream's end), or `undefined`. */
  problemWith?: (answer: FuzzAnswer) => string | undefined;
  seed: number;
  runs: number;
  /** Requests in flight at once. */
  concurrency?: number;
}

/**
 * The seed of this run: `FUZZ_SEED` when set (to replay a run), else a new one each run. Logged, so a
 * failure in CI can be replayed with `FUZZ_SEED=<seed>`.
 */
export function fuzzSeed(label: string): number {
  const given = process.env['FUZZ_SEED'];
  const seed = given === undefined || given === '' ? Math.floor(Math.random() * 2 ** 31) : Number(given);
  process.stdout.write(`fuzz ${label}: seed ${seed} (replay with FUZZ_SEED=${seed})\n`);
  return seed;
}

/** Bodies per route: `FUZZ_RUNS` when set, else `fallback`. */
export function fuzzRuns(fallback: number): number {
  const given = Number(process.env['FUZZ_RUNS']);
  return Number.isInteger(given) && given > 0 ? given : fallback;
}

/** One request over a real socket, its answer read to the end. */
export async function sendFuzzRequest(
  method: string,
  url: string,
  request: FuzzRequest,
  headers: Record<string, string> = {},
): Promise<FuzzAnswer> {
  const response = await fetch(url, {
    method,
    headers: {
      ...headers,
      ...(request.contentType === undefined ? {} : { 'content-type': request.contentType }),
    },
    // Bytes, so that no content type is added and a body that is not UTF-8 stays as it is.
    body: typeof request.body === 'string' ? new TextEncoder().encode(request.body) : request.body,
  });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

/**
 * Sends `runs` generated requests to a route, `concurrency` at a time, and fails on the first answer
 * that is a 5xx or that `problemWith` objects to, naming the request and the seed. fast-check then
 * shrinks the batch that failed. Resolves with how many answers had each status.
 */
export async function fuzzRoute(options: FuzzRouteOptions): Promise<Record<number, number>> {
  const method = options.route.slice(0, options.route.indexOf(' '));
  const concurrency = options.concurrency ?? 8;
  const statuses: Record<number, number> = {};
  const check = async (request: FuzzRequest) => {
    const answer = await sendFuzzRequest(method, await options.url(), request, options.headers);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    const problem = answer.status >= 500 ? `status ${answer.status}` : options.problemWith?.(answer);
    if (problem !== undefined) {
      throw new Error(
        `${options.route}: ${problem} (seed ${options.seed}) for ${describeFuzzRequest(request)}; ` +
          `answer ${answer.text.slice(0, 500)}`,
      );
    }
  };
  await fc.assert(
    fc.asyncProperty(
      fc.array(options.requests, { minLength: concurrency, maxLength: concurrency }),
      async (batch) => {
        await Promise.all(batch.map(check));
      },
    ),
    { seed: options.seed, numRuns: Math.ceil(options.runs / concurrency) },
  );
  return statuses;
}
