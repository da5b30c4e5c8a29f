import { Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LlmError, LlmRegistry, SLUICE_HEADERS } from '@sluice/llm-provider';
import { isValidUserId } from '../auth/caller-headers';
import { GATEWAY_CONFIG } from '../config/config.module';
import type { GatewayConfig } from '../config/gateway-config';
import { GatewayRateLimits } from '../limits/gateway-rate-limits';
import { firstProvider, noteFailure } from './call-labels';
import { CallTracker } from './call-tracker';
import { toLlmRequest } from './chat-request.mapper';
import { buildChatCompletion } from './chat-response.builder';
import { ChatStreamService } from './chat-stream.service';
import { promptForLog } from './prompt-log';
import { type ChatRequestBody, chatRequestSchema } from './wire/chat-request.schema';
import { parseBody } from './wire/parse-body';

@Controller('v1/chat')
export class ChatController {
  constructor(
    private readonly registry: LlmRegistry,
    private readonly streamer: ChatStreamService,
    private readonly tracker: CallTracker,
    private readonly limits: GatewayRateLimits,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** `POST /v1/chat/completions`, streamed (SSE) or not. */
  @Post('completions')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const call = request.sluice.call;
    call.endpoint = 'chat_completions';
    const body = parseBody(chatRequestSchema, request.body);
    call.model = body.model;
    call.stream = body.stream === true;
    if (this.config.logPrompts) call.prompt = promptForLog(body.messages);
    const userId = request.sluice.userId ?? bodyUser(body);
    await this.limits.admit(request, reply, userId);
    call.provider = await firstProvider(this.registry, body.model);

    const llmRequest = toLlmRequest(body, {
      requestId: request.id,
      userId,
      signal: this.tracker.begin(reply.raw, body.stream === true),
    });

    if (body.stream === true) {
      await this.streamer.stream({
        request,
        reply,
        llmRequest,
        model: body.model,
        includeUsage: body.stream_options?.include_usage === true,
        gatewayEvents: request.headers[SLUICE_HEADERS.streamEvents] === '1',
      });
      return;
    }

    try {
      const result = await this.registry.chat(llmRequest);
      call.provider = result.provider;
      call.usage = result.usage;
      call.finishReason = result.rawFinishReason ?? result.finishReason;
      call.outcome = 'ok';
      if (result.warnings.length > 0) request.log.warn({ warnings: result.warnings }, 'upstream warnings');
      await reply
        .code(200)
        .header(SLUICE_HEADERS.servedByProvider, result.provider)
        .header(SLUICE_HEADERS.servedByModel, result.model)
        .send(buildChatCompletion(result, body.model));
    } catch (error) {
      noteFailure(call, error);
      throw LlmError.is(error) ? this.tracker.explain(error) : error;
    }
  }
}

/** Off-the-shelf clients name the end user in the body; `x-sluice-user` wins when both are there. */
function bodyUser(body: ChatRequestBody): string | undefined {
  const candidate = body.safety_identifier ?? body.user ?? undefined;
  return candidate !== undefined && isValidUserId(candidate) ? candidate : undefined;
}
