/**
 * The deepest nesting of arrays and objects a request body may have. Real bodies (a chat request with
 * a JSON schema for its tools, an API body) stay far below it; past it, code that walks the parsed
 * value recursively (the prototype-poisoning scan, `JSON.stringify` on the way upstream) would run out
 * of stack, so a deeper body is refused before it is parsed.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests `[`/`{` deeper than `max`, in one pass over the raw text: brackets inside
 * strings do not count, and an escaped character (`\"`, `\\`) is skipped. It stops at the first level
 * past `max`, so a 100 KB body of `[` costs 65 characters. Text that is not valid JSON is not judged
 * here: the parser refuses it next.
 */
export function exceedsJsonDepth(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === BACKSLASH) i++;
      else if (code === QUOTE) inString = false;
    } else if (code === QUOTE) {
      inString = true;
    } else if (code === OPEN_BRACKET || code === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (code === CLOSE_BRACKET || code === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * Puts the depth check in front of a JSON body parser: a body nested deeper than `MAX_JSON_DEPTH` is
 * refused with the app's own error before `parse` sees it. Both apps wrap Fastify's parser with it.
 */
export function refuseDeepJson<Request, Done extends (error: Error | null, body?: unknown) => void>(
  parse: (request: Request, body: string, done: Done) => unknown,
  tooDeep: () => Error,
): (request: Request, body: string, done: Done) => void {
  return (request, body, done) => {
    if (exceedsJsonDepth(body)) done(tooDeep(), undefined);
    else void parse(request, body, done);
  };
}
