import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type ModelList, modelListSchema } from '@sluice/contracts';
import { LlmRegistry } from '@sluice/llm-provider';
import { ApiErrors, ApiZodResponse } from '../common/openapi';
import { describeLlmError, llmErrorToException } from '../common/llm-errors';

@ApiTags('models')
@ApiBearerAuth()
@Controller('models')
export class ModelsController {
  constructor(private readonly registry: LlmRegistry) {}

  @Get()
  @ApiOperation({ summary: 'The models the configured LLM upstreams offer' })
  @ApiZodResponse(200, modelListSchema)
  @ApiErrors('unauthorized', 'llm_unavailable', 'llm_timeout', 'llm_error')
  async list(): Promise<ModelList> {
    const listing = await this.registry.listModels({ timeouts: { connectMs: 5_000, totalMs: 10_000 } });
    const firstError = listing.errors[0];
    // Nothing could be listed at all: the LLM is unavailable for this user, say so (with the address).
    if (listing.models.length === 0 && firstError) throw llmErrorToException(firstError.error);
    const defaultProvider = this.registry.defaultProvider.id;
    return {
      // A model of another provider than the default one is addressed as `<provider>/<model>`.
      models: listing.models.map((model) => ({
        id: model.provider === defaultProvider ? model.id : `${model.provider}/${model.id}`,
        // Stage two names the model server behind the gateway, as stage one does.
        provider: model.servedBy ?? model.provider,
        ...(model.contextLength === undefined ? {} : { contextLength: model.contextLength }),
      })),
      unavailable: listing.errors.map(({ provider, error }) => {
        const described = describeLlmError(error);
        return {
          provider,
          code: described?.code ?? 'llm_error',
          message: described?.message ?? error.message,
        };
      }),
    };
  }
}
