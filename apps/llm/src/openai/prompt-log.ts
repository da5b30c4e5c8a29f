import { boundForLog } from '@sluice/contracts';
import type { ChatMessageBody } from './wire/chat-request.schema';

export type LoggedMessage = { role: string; text: string; images?: number } | { omitted: number };

/** The newest messages logged; older ones are counted. */
export const LOGGED_MESSAGES_MAX = 20;
/** Characters of each message's text logged. */
export const LOGGED_TEXT_MAX = 1_000;

/**
 * The prompt as LLM_LOG_PROMPTS=true logs it: each message's role and text; images only counted.
 * Bounded, since the caller writes it: the last 20 messages (`{omitted: n}` counts the earlier ones),
 * each text cut at 1,000 characters.
 */
export function promptForLog(messages: ChatMessageBody[]): LoggedMessage[] {
  const omitted = Math.max(0, messages.length - LOGGED_MESSAGES_MAX);
  const logged = messages.slice(omitted).map((message): LoggedMessage => {
    const content = message.content ?? '';
    if (typeof content === 'string')
      return { role: message.role, text: boundForLog(content, LOGGED_TEXT_MAX) };
    let images = 0;
    const texts: string[] = [];
    for (const part of content) {
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'refusal') texts.push(part.refusal);
      else images++;
    }
    return {
      role: message.role,
      text: boundForLog(texts.join('\n'), LOGGED_TEXT_MAX),
      ...(images > 0 ? { images } : {}),
    };
  });
  return omitted > 0 ? [{ omitted }, ...logged] : logged;
}
