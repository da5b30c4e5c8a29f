import { type DynamicModule, Module } from '@nestjs/common';
import type { LlmProvider } from '@sluice/llm-provider';
import { LlmModule } from '@sluice/llm-provider/nest';
import { AuthModule } from './auth/auth.module';
import { ChatModule } from './chat/chat.module';
import type { RuntimeConfig } from './config/api-config';
import { ConfigModule } from './config/config.module';
import { ConversationsModule } from './conversations/conversations.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ModelsModule } from './models/models.module';
import { SharedStateModule } from './shared-state/shared-state.module';
import { UsageModule } from './usage/usage.module';
import { UsersModule } from './users/users.module';

export interface AppModuleOptions {
  /** Ready-made LLM providers instead of the configured ones (tests). */
  llmProviders?: LlmProvider[];
}

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        SharedStateModule,
        LlmModule.forRoot({
          config: config.llm,
          ...(options.llmProviders === undefined ? {} : { providers: options.llmProviders }),
        }),
        DatabaseModule,
        UsersModule,
        AuthModule,
        ConversationsModule,
        ChatModule,
        ModelsModule,
        UsageModule,
        HealthModule,
      ],
    };
  }
}
