import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { RuntimeConfig } from './api-config';

/** Injection token of the validated configuration (`RuntimeConfig`: database URL and JWT secret resolved). */
export const API_CONFIG = Symbol('API_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: RuntimeConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: API_CONFIG, useValue: config }],
      exports: [API_CONFIG],
    };
  }
}
