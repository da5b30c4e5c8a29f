import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type SendMessageBody, sendMessageBodySchema } from '@sluice/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentUser } from '../auth/auth.decorators';
import { ApiErrors, ApiZodBody } from '../common/openapi';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { UserEntity } from '../users/user.entity';
import { ChatService } from './chat.service';

const STREAM_DESCRIPTION = [
  'A `text/event-stream`. Every event has an `id:` (a sequence number) and a JSON `data:`:',
  '`meta` {conversationId, userMessageId, assistantMessageId, model, provider} first;',
  '`delta` {text} for each piece of the answer; `usage` {promptTokens?, completionTokens?, totalTokens?};',
  'then exactly one of `done` {finishReason, usage} or `error` {code, message, retryable}.',
  'A `: keep-alive` comment line comes every 15 s.',
  'Problems found before the stream starts (validation, auth, a conversation that is not yours) answer JSON errors,',
  'as does a user over the per-user limits (CHAT_USER_RPM, CHAT_USER_TPM): 429 `rate_limited` with `retry-after`',
  'and `x-ratelimit-*` headers, and nothing stored; a user with CHAT_USER_MAX_STREAMS answers already streaming',
  'gets 429 `too_many_streams`.',
].join(' ');

@ApiTags('chat')
@ApiBearerAuth()
@Controller('conversations')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post(':id/messages')
  @ApiOperation({ summary: 'Send a message; the answer streams back as server-sent events' })
  @ApiZodBody(sendMessageBodySchema)
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: STREAM_DESCRIPTION, content: { 'text/event-stream': {} } })
  @ApiErrors(
    'validation_failed',
    'unauthorized',
    'not_found',
    'payload_too_large',
    'rate_limited',
    'too_many_streams',
  )
  async send(
    @CurrentUser() user: UserEntity,
    @Param('id', new ParseIdPipe('Conversation')) id: string,
    @Body(new ZodValidationPipe(sendMessageBodySchema)) body: SendMessageBody,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const prepared = await this.chat.prepare(user, id, body);
    // From here on the response is ours, written raw; failures become `error` events.
    reply.hijack();
    await this.chat.stream(prepared, reply.raw, String(request.id));
  }
}
