import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { LlmProvider } from '@sluice/llm-provider';
import { LlmModule } from '@sluice/llm-provider/nest';
import { GatewayConfigModule } from './config/config.module';
import type { GatewayConfig } from './config/gateway-config';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpenAiExceptionFilter } from './openai/openai-exception.filter';
import { OpenAiModule } from './openai/openai.module';

export interface AppModuleOptions {
  config: GatewayConfig;
  /** Ready-made providers instead of the ones the configuration describes (tests). */
  providers?: LlmProvider[];
}

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        GatewayConfigModule.forRoot(options.config),
        LlmModule.forRoot({
          config: options.config.llm,
          ...(options.providers ? { providers: options.providers } : {}),
        }),
        MetricsModule,
        HealthModule,
        OpenAiModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: OpenAiExceptionFilter }],
    };
  }
}
