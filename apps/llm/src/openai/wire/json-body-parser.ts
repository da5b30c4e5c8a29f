import { MAX_JSON_DEPTH, refuseDeepJson } from '@sluice/contracts';
import type { FastifyInstance } from 'fastify';
import { OpenAiHttpError } from '../openai-error';

/**
 * The gateway's `application/json` parser: Fastify's own (secure-json-parse, so `__proto__` and
 * `constructor.prototype` keys are refused) behind the nesting-depth check, which reads the raw text
 * before anything parses or walks it (a tool's `parameters` or a `json_schema` travel on to the
 * upstream, serialised recursively). Nest registers no parser (`bodyParser: false`): a form is a 415.
 */
export function useJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    refuseDeepJson(parse, () =>
      OpenAiHttpError.invalidRequest(
        `The body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels.`,
      ),
    ),
  );
}
