import { MAX_JSON_DEPTH, refuseDeepJson } from '@sluice/contracts';
import type { FastifyInstance } from 'fastify';
import { ApiException } from './api.exception';

/**
 * The API's `application/json` parser: Fastify's own (secure-json-parse, so `__proto__` and
 * `constructor.prototype` keys are refused) behind the nesting-depth check, which reads the raw text
 * before anything parses or walks it. Nest registers no parser of its own (`bodyParser: false`), so
 * this is the only one, and a form body is refused (`validation_failed`, Fastify's 415).
 */
export function useJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string' },
    refuseDeepJson(parse, () =>
      ApiException.validation([
        { path: '', message: `must not nest arrays and objects deeper than ${MAX_JSON_DEPTH} levels` },
      ]),
    ),
  );
}
