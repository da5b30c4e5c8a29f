import { Module } from '@nestjs/common';
import { GatewayRateLimits } from '../limits/gateway-rate-limits';
import { CallTracker } from './call-tracker';
import { ChatController } from './chat.controller';
import { ChatStreamService } from './chat-stream.service';
import { EmbeddingsController } from './embeddings.controller';
import { ModelsController } from './models.controller';

/** The OpenAI-compatible surface: `/v1/chat/completions`, `/v1/models`, `/v1/embeddings`. */
@Module({
  controllers: [ChatController, ModelsController, EmbeddingsController],
  providers: [ChatStreamService, CallTracker, GatewayRateLimits],
  exports: [CallTracker],
})
export class OpenAiModule {}
