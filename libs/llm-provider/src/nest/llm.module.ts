import {
  type DynamicModule,
  Module,
  type InjectionToken,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import type { LlmProvider } from '../contract';
import { createLlmRegistry, type LlmConfig, loadLlmConfig, LlmRegistry } from '../registry';

export const LLM_CONFIG = Symbol('LLM_CONFIG');

export interface LlmModuleOptions {
  /** The configuration; default: read from `process.env` (and validated) at boot. */
  config?: LlmConfig;
  /** Ready-made providers (tests, custom adapters) instead of building them from the config. */
  providers?: LlmProvider[];
}

export interface LlmModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: never[]) => LlmModuleOptions | Promise<LlmModuleOptions>;
}

function build(options: LlmModuleOptions): { config: LlmConfig; registry: LlmRegistry } {
  const config = options.config ?? loadLlmConfig();
  return { config, registry: createLlmRegistry(config, options.providers) };
}

/** Exposes the provider registry to a Nest app: the API (stage one) and the gateway both import it. */
@Module({})
export class LlmModule {
  static forRoot(options: LlmModuleOptions = {}): DynamicModule {
    const built = build(options);
    return {
      module: LlmModule,
      global: true,
      providers: [
        { provide: LLM_CONFIG, useValue: built.config },
        { provide: LlmRegistry, useValue: built.registry },
      ],
      exports: [LLM_CONFIG, LlmRegistry],
    };
  }

  static forRootAsync(options: LlmModuleAsyncOptions): DynamicModule {
    const BUILT = Symbol('LLM_BUILT');
    return {
      module: LlmModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: BUILT,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => build(await options.useFactory(...args)),
        },
        { provide: LLM_CONFIG, inject: [BUILT], useFactory: (b: ReturnType<typeof build>) => b.config },
        { provide: LlmRegistry, inject: [BUILT], useFactory: (b: ReturnType<typeof build>) => b.registry },
      ],
      exports: [LLM_CONFIG, LlmRegistry],
    };
  }
}
