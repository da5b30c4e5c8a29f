import type { TokenUsage } from '@sluice/contracts';
import type { LlmUsage } from '@sluice/llm-provider';
import type { AnswerOutcome } from '../conversations/messages.service';

/** What one answer has produced so far (text, usage, who serves it, when the first token came). */
export class AnswerDraft {
  text = '';
  usage: LlmUsage = {};
  provider: string | null = null;
  ttftMs: number | null = null;
  private readonly started = performance.now();

  constructor(public model: string | null) {}

  served(model: string, provider: string): void {
    this.model = model;
    this.provider = provider;
  }

  addText(text: string): void {
    this.ttftMs ??= Math.round(performance.now() - this.started);
    this.text += text;
  }

  addUsage(usage: LlmUsage): void {
    this.usage = { ...this.usage, ...usage };
  }

  /** The usage as the browser stream reports it (only the counts the upstream gave). */
  tokenUsage(): TokenUsage {
    const { promptTokens, completionTokens, totalTokens } = this.usage;
    return {
      ...(promptTokens === undefined ? {} : { promptTokens }),
      ...(completionTokens === undefined ? {} : { completionTokens }),
      ...(totalTokens === undefined ? {} : { totalTokens }),
    };
  }

  /** The tokens charged to the user's budget. */
  totalTokens(): number {
    return this.usage.totalTokens ?? (this.usage.promptTokens ?? 0) + (this.usage.completionTokens ?? 0);
  }

  /** The row the answer becomes, with the text produced so far. */
  outcome(status: AnswerOutcome['status'], errorCode: string | null): AnswerOutcome {
    return {
      status,
      content: this.text,
      model: this.model,
      provider: this.provider,
      promptTokens: this.usage.promptTokens ?? null,
      completionTokens: this.usage.completionTokens ?? null,
      ttftMs: this.ttftMs,
      durationMs: Math.round(performance.now() - this.started),
      errorCode,
    };
  }
}
