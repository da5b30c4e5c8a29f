import type { LlmCallOptions, LlmModelInfo, LlmRequestOptions, ProviderKind } from '../../contract';
import { type HeaderLookup, type ModelCard, OpenAICompatibleProvider } from '../openai-compatible';
import { SLUICE_HEADERS } from './sluice-headers';
import { sluiceStreamEvents } from './sluice-stream-events';

/**
 * The Sluice gateway (stage two) as the API reaches it: OpenAI's Chat Completions plus the gateway's
 * own dialect (docs/wire-formats.md#sluice-gateway). The end user goes along in `x-sluice-user`; who
 * served comes back in `x-sluice-provider` / `x-sluice-model` (headers) or, in a stream, in a
 * `sluice.start` event after any `sluice.queued` ones, which the API asks for with
 * `x-sluice-stream-events: 1`; a model card names its upstream in `sluice_provider`. Never used for a
 * third-party server: these headers would leak who the user is.
 */
export class SluiceGatewayProvider extends OpenAICompatibleProvider {
  override readonly kind: ProviderKind = 'sluice-gateway';
  protected override readonly extraEvents = sluiceStreamEvents;

  /**
   * Asks the gateway for the one model: it looks the window up upstream (Ollama's show), which its
   * listing does not do for every model.
   */
  override async contextWindow(model: string, options: LlmRequestOptions = {}): Promise<number | undefined> {
    const card = await this.call(options, (signal) =>
      this.client.models.retrieve(model, this.requestOptions(signal)),
    );
    return this.toModelInfo(card as ModelCard).contextLength;
  }

  protected override callHeaders(options: {
    headers?: Record<string, string>;
    user?: string;
  }): Record<string, string> | undefined {
    if (options.user === undefined) return options.headers;
    return { ...options.headers, [SLUICE_HEADERS.user]: options.user };
  }

  protected override streamRequestHeaders(options: LlmCallOptions): Record<string, string> {
    return { ...super.streamRequestHeaders(options), [SLUICE_HEADERS.streamEvents]: '1' };
  }

  /** The upstream the gateway chose, which its headers name. */
  protected override servedBy(header: HeaderLookup, model: string): { provider: string; model: string } {
    return {
      provider: header(SLUICE_HEADERS.servedByProvider) ?? this.id,
      model: header(SLUICE_HEADERS.servedByModel) ?? model,
    };
  }

  protected override toModelInfo(card: ModelCard): LlmModelInfo {
    const info = super.toModelInfo(card);
    if (typeof card.sluice_provider === 'string') info.servedBy = card.sluice_provider;
    return info;
  }
}
