import { Controller, Get, Logger, Param, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LlmRegistry, type LlmModelInfo } from '@sluice/llm-provider';
import { OpenAiHttpError } from './openai-error';

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  /** The context window, vLLM's field, when the upstream reports one. */
  max_model_len?: number;
  /** The configured provider that serves the model (absent on aliases). */
  sluice_provider?: string;
}

@Controller('v1/models')
export class ModelsController {
  private readonly logger = new Logger(ModelsController.name);
  /** Upstreams report no creation time; a stable one keeps the listing stable. */
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly registry: LlmRegistry) {}

  /** Every upstream's models, with ids that route back here; an upstream that is down is left out. */
  @Get()
  async list(@Req() request: FastifyRequest): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    request.sluice.call.endpoint = 'models';
    return { object: 'list', data: await this.models() };
  }

  /**
   * `GET /v1/models/{id}`; ids may hold slashes (`vllm/meta-llama/Llama-3.1-8B-Instruct`). Its
   * `max_model_len` is asked of the upstream when the listing has none (Ollama's show is a request per
   * model, too many for a listing): a Sluice API reads it to fit the conversation to the model. A
   * name the upstream knows without listing it (Ollama's `llama3.2` for `llama3.2:latest`) is found
   * that way too, so the API sees the window whichever name its users chose.
   */
  @Get('*')
  async retrieve(@Req() request: FastifyRequest, @Param('*') id: string | string[]): Promise<OpenAiModel> {
    request.sluice.call.endpoint = 'models';
    const wanted = Array.isArray(id) ? id.join('/') : id;
    const listed = (await this.models()).find((model) => model.id === wanted);
    if (listed?.max_model_len !== undefined) return listed;
    const contextLength = await this.registry.contextWindow(wanted);
    const found = listed ?? (contextLength === undefined ? undefined : await this.unlisted(wanted));
    if (!found) {
      throw new OpenAiHttpError({
        status: 404,
        message: `The model \`${wanted}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
        outcome: 'model_not_found',
      });
    }
    return contextLength === undefined ? found : { ...found, max_model_len: contextLength };
  }

  /** A model its upstream serves under a name it does not list. */
  private async unlisted(id: string): Promise<OpenAiModel> {
    const { provider } = await this.registry.resolve(id);
    return {
      id,
      object: 'model',
      created: this.created,
      owned_by: provider.id,
      sluice_provider: provider.id,
    };
  }

  private async models(): Promise<OpenAiModel[]> {
    const listing = await this.registry.listModels();
    for (const { provider, error } of listing.errors) {
      this.logger.warn(`cannot list the models of ${provider}: ${error.message}`);
    }
    const first = listing.errors[0];
    if (listing.models.length === 0 && first && this.registry.aliases.length === 0) throw first.error;
    const data = await Promise.all(listing.models.map((model) => this.toOpenAiModel(model)));
    data.sort((a, b) => a.id.localeCompare(b.id));
    // The routing file's aliases come first: they are the names callers are meant to use.
    const aliases = this.registry.aliases.map((alias): OpenAiModel => ({
      id: alias,
      object: 'model',
      created: this.created,
      owned_by: 'sluice',
    }));
    return [...aliases, ...data.filter((model) => !this.registry.aliases.includes(model.id))];
  }

  /**
   * The default provider's models are listed bare, the others as `provider/model`: both resolve back
   * to the same upstream. A bare name that would resolve elsewhere (a default-provider model called
   * `vllm/x`) gets its own provider's prefix.
   */
  private async toOpenAiModel(model: LlmModelInfo): Promise<OpenAiModel> {
    let id = `${model.provider}/${model.id}`;
    if (model.provider === this.registry.defaultProvider.id) {
      const resolved = await this.registry.resolve(model.id);
      if (resolved.provider.id === model.provider) id = model.id;
    }
    return {
      id,
      object: 'model',
      created: this.created,
      owned_by: model.ownedBy ?? model.provider,
      // Which upstream serves it: the Sluice API shows this, so stage two looks like stage one.
      sluice_provider: model.provider,
      ...(model.contextLength === undefined ? {} : { max_model_len: model.contextLength }),
    };
  }
}
