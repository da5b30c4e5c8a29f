import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LlmError, LlmRegistry } from '@sluice/llm-provider';
import { isValidUserId } from '../auth/caller-headers';
import { GatewayRateLimits } from '../limits/gateway-rate-limits';
import { firstProvider, noteFailure } from './call-labels';
import { CallTracker } from './call-tracker';
import { embeddingsRequestSchema } from './wire/embeddings-request.schema';
import { parseBody } from './wire/parse-body';

export interface OpenAiEmbeddings {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

@Controller('v1/embeddings')
export class EmbeddingsController {
  constructor(
    private readonly registry: LlmRegistry,
    private readonly tracker: CallTracker,
    private readonly limits: GatewayRateLimits,
  ) {}

  /** `POST /v1/embeddings`; `encoding_format: base64` (what openai-node asks for) is little-endian float32. */
  @Post()
  @HttpCode(200)
  async create(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<OpenAiEmbeddings> {
    const call = request.sluice.call;
    call.endpoint = 'embeddings';
    const body = parseBody(embeddingsRequestSchema, request.body);
    call.model = body.model;
    const userId = request.sluice.userId ?? (body.user && isValidUserId(body.user) ? body.user : undefined);
    await this.limits.admit(request, reply, userId);
    call.provider = await firstProvider(this.registry, body.model);
    try {
      const result = await this.registry.embed({
        model: body.model,
        input: typeof body.input === 'string' ? [body.input] : body.input,
        ...(body.dimensions == null ? {} : { dimensions: body.dimensions }),
        signal: this.tracker.begin(reply.raw, false),
        headers: { 'x-request-id': request.id },
        ...(userId === undefined ? {} : { user: userId }),
      });
      call.provider = result.provider;
      call.usage = result.usage;
      call.outcome = 'ok';
      const base64 = body.encoding_format === 'base64';
      const prompt = result.usage.promptTokens ?? 0;
      return {
        object: 'list',
        data: result.embeddings.map((vector, index) => ({
          object: 'embedding',
          index,
          embedding: base64 ? float32Base64(vector) : vector,
        })),
        model: body.model,
        usage: { prompt_tokens: prompt, total_tokens: result.usage.totalTokens ?? prompt },
      };
    } catch (error) {
      noteFailure(call, error);
      throw LlmError.is(error) ? this.tracker.explain(error) : error;
    }
  }
}

/** The vector as little-endian float32 bytes in base64, as openai-node decodes it. */
export function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
