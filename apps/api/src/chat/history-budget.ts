import type { ChatHistorySettings } from '../config/api-config';
import type { HistoryLimit, HistoryMessage } from '../conversations/messages.service';

/**
 * Tokens are estimated from UTF-8 bytes, without a tokenizer: a token for every 3 bytes errs high
 * for English and code (about 4 bytes a token) and is about right for CJK text (3 bytes a character,
 * about a token each); each message adds its chat template's role markers.
 */
export const BYTES_PER_TOKEN = 3;
export const TOKENS_PER_MESSAGE = 8;

/** The estimate for one message; never below what a tokenizer would count for most text. */
export function estimateTokens(message: HistoryMessage): number {
  return Math.ceil(Buffer.byteLength(message.content) / BYTES_PER_TOKEN) + TOKENS_PER_MESSAGE;
}

/** The message's share of the request body: `{"role":…,"content":…}` and a comma. */
export function requestBytes(message: HistoryMessage): number {
  return Buffer.byteLength(JSON.stringify({ role: message.role, content: message.content })) + 1;
}

/**
 * What the earlier messages of a conversation may take, once the new message is counted: the model's
 * window less the reserve for the answer, in tokens, and the request size limit, in bytes. The new
 * message always goes, even when it leaves nothing for the others.
 */
export class HistoryBudget {
  private constructor(
    readonly tokens: number,
    readonly bytes: number,
  ) {}

  /** `contextWindow`: what the model's upstream reports (undefined: the configured default). */
  static for(settings: ChatHistorySettings, contextWindow: number | undefined, newMessage: string) {
    const window = contextWindow ?? settings.defaultContextTokens;
    const reserve = Math.min(settings.answerReserveTokens, Math.floor(window / 2));
    const message: HistoryMessage = { role: 'user', content: newMessage };
    return new HistoryBudget(
      Math.max(0, window - reserve - estimateTokens(message)),
      Math.max(0, settings.maxRequestBytes - requestBytes(message)),
    );
  }

  /**
   * What the database may load: never less than `fit` keeps. A message that fits costs at least its
   * bytes + 24 in both measures (3 × its tokens, and its JSON, whose braces and keys alone are 29).
   */
  get loadLimit(): HistoryLimit {
    return {
      maxBytes: Math.min(this.bytes, this.tokens * BYTES_PER_TOKEN),
      bytesPerMessage: TOKENS_PER_MESSAGE * BYTES_PER_TOKEN,
    };
  }

  /** The newest messages of `history` (oldest first) that fit, oldest first: the oldest are left out. */
  fit<T extends HistoryMessage>(history: readonly T[]): T[] {
    let tokens = 0;
    let bytes = 0;
    let kept = 0;
    for (const message of [...history].reverse()) {
      tokens += estimateTokens(message);
      bytes += requestBytes(message);
      if (tokens > this.tokens || bytes > this.bytes) break;
      kept++;
    }
    return history.slice(history.length - kept);
  }
}
