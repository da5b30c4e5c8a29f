import type { ChatMessageBody } from './wire/chat-request.schema';

export interface LoggedMessage {
  role: string;
  text: string;
  images?: number;
}

/** The prompt as LLM_LOG_PROMPTS=true logs it: each message's role and text; images only counted. */
export function promptForLog(messages: ChatMessageBody[]): LoggedMessage[] {
  return messages.map((message) => {
    const content = message.content ?? '';
    if (typeof content === 'string') return { role: message.role, text: content };
    let images = 0;
    const texts: string[] = [];
    for (const part of content) {
      if (part.type === 'text') texts.push(part.text);
      else if (part.type === 'refusal') texts.push(part.refusal);
      else images++;
    }
    return { role: message.role, text: texts.join('\n'), ...(images > 0 ? { images } : {}) };
  });
}
