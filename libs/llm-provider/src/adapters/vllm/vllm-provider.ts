import type OpenAI from 'openai';
import type { LlmCallOptions, LlmModelInfo, LlmRequestOptions, ProviderKind } from '../../contract';
import { OpenAICompatibleProvider } from '../openai-compatible';

/**
 * vLLM's OpenAI-compatible server: the compatible core plus vLLM's own sampling fields at the top
 * level of the body (`top_k`, and anything under `providerOptions.vllm`: `min_p`,
 * `repetition_penalty`, `chat_template_kwargs`, ...), JSON schemas through `structured_outputs`, the
 * context window from `/v1/models` (`max_model_len`, which the compatible core reads) and `/health` as
 * the probe.
 */
export class VllmProvider extends OpenAICompatibleProvider {
  override readonly kind: ProviderKind = 'vllm';

  protected override buildBody(options: LlmCallOptions) {
    const { topK, ...rest } = options;
    const built = super.buildBody(rest);
    const body = built.body as Record<string, unknown>;
    if (topK !== undefined) body.top_k = topK;
    const format = options.responseFormat;
    if (format?.type === 'json' && format.schema && body.structured_outputs === undefined) {
      delete body.response_format;
      body.structured_outputs = { json: format.schema };
    }
    return built;
  }

  protected override toModelInfo(entry: OpenAI.Models.Model & Record<string, unknown>): LlmModelInfo {
    const info = super.toModelInfo(entry);
    if (typeof entry.parent === 'string') info.parent = entry.parent;
    return info;
  }

  /** `/health` sits at the server root, outside `/v1`, and needs no key. */
  protected override async probe(options: LlmRequestOptions): Promise<void> {
    const root = this.baseUrl.replace(/\/v1$/, '');
    await this.call(options, async (signal) => {
      const response = await fetch(`${root}/health`, { signal });
      await response.body?.cancel();
      if (!response.ok)
        throw Object.assign(new Error(`/health answered ${response.status}`), { status: response.status });
    });
  }
}
