import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  type ConversationPage,
  conversationPageSchema,
  type Conversation,
  conversationSchema,
  type CreateConversationBody,
  createConversationBodySchema,
  type MessageList,
  messageListSchema,
  type PagingQuery,
  pagingQuerySchema,
  type UpdateConversationBody,
  updateConversationBodySchema,
} from '@sluice/contracts';
import { CurrentUser } from '../auth/auth.decorators';
import { ApiErrors, ApiZodBody, ApiZodQuery, ApiZodResponse } from '../common/openapi';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { UserEntity } from '../users/user.entity';
import { toConversationDto, toMessageDto } from './conversations.mapper';
import { ConversationsService } from './conversations.service';

const conversationId = new ParseIdPipe('Conversation');
// A create without a body is a create with no title and the default model.
const createBody = createConversationBodySchema.optional().transform((body) => body ?? {});

@ApiTags('conversations')
@ApiBearerAuth()
@ApiErrors('unauthorized')
@Controller('conversations')
export class ConversationsController {
  constructor(private readonly conversations: ConversationsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's conversations, most recently active first" })
  @ApiZodQuery(pagingQuerySchema)
  @ApiZodResponse(200, conversationPageSchema)
  @ApiErrors('validation_failed')
  async list(
    @CurrentUser() user: UserEntity,
    @Query(new ZodValidationPipe(pagingQuerySchema)) query: PagingQuery,
  ): Promise<ConversationPage> {
    const page = await this.conversations.list(user.id, query.limit, query.cursor);
    return { items: page.items.map(toConversationDto), nextCursor: page.nextCursor };
  }

  @Post()
  @ApiOperation({ summary: 'Start a conversation' })
  @ApiZodBody(createConversationBodySchema)
  @ApiZodResponse(201, conversationSchema)
  @ApiErrors('validation_failed')
  async create(
    @CurrentUser() user: UserEntity,
    @Body(new ZodValidationPipe(createBody)) body: CreateConversationBody,
  ): Promise<Conversation> {
    return toConversationDto(await this.conversations.create(user.id, body));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One conversation' })
  @ApiZodResponse(200, conversationSchema)
  @ApiErrors('not_found')
  async get(@CurrentUser() user: UserEntity, @Param('id', conversationId) id: string): Promise<Conversation> {
    return toConversationDto(await this.conversations.getOwned(user.id, id));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a conversation or change its model' })
  @ApiZodBody(updateConversationBodySchema)
  @ApiZodResponse(200, conversationSchema)
  @ApiErrors('validation_failed', 'not_found')
  async update(
    @CurrentUser() user: UserEntity,
    @Param('id', conversationId) id: string,
    @Body(new ZodValidationPipe(updateConversationBodySchema)) body: UpdateConversationBody,
  ): Promise<Conversation> {
    return toConversationDto(await this.conversations.update(user.id, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a conversation and its messages' })
  @ApiErrors('not_found')
  async remove(@CurrentUser() user: UserEntity, @Param('id', conversationId) id: string): Promise<void> {
    await this.conversations.remove(user.id, id);
  }

  @Get(':id/messages')
  @ApiOperation({ summary: 'The messages of a conversation, oldest first' })
  @ApiZodResponse(200, messageListSchema)
  @ApiErrors('not_found')
  async messages(
    @CurrentUser() user: UserEntity,
    @Param('id', conversationId) id: string,
  ): Promise<MessageList> {
    return { items: (await this.conversations.listMessages(user.id, id)).map(toMessageDto) };
  }
}
