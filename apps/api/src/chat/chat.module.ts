import { Module } from '@nestjs/common';
import { ConversationsModule } from '../conversations/conversations.module';
import { UsageModule } from '../usage/usage.module';
import { ChatRateLimit } from './chat-rate-limit';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';

@Module({
  imports: [ConversationsModule, UsageModule],
  controllers: [ChatController],
  providers: [ChatService, ChatRateLimit],
})
export class ChatModule {}
