import type { SseEvent } from '../../codecs';
import { LlmError } from '../../contract';
import { type ExtraEvent, type ExtraEvents, parseEventJson } from '../openai-compatible/chat-chunks';
import type { WireErrorContext } from '../openai-compatible/openai-wire-errors';
import { SLUICE_STREAM_EVENTS } from './sluice-headers';

/**
 * Reads the gateway's `sluice.*` events (docs/wire-formats.md#sluice-events) in their place among the
 * chunks: the place in its queue, then who serves. An event name this version does not know is a
 * newer gateway's and is skipped.
 */
export const sluiceStreamEvents: ExtraEvents = {
  owns: (event) => event.event.startsWith('sluice.'),
  read: (event, context) => {
    if (event.event === SLUICE_STREAM_EVENTS.queued) return queued(event, context);
    if (event.event === SLUICE_STREAM_EVENTS.start) return start(event, context);
    return undefined;
  },
};

function queued(event: SseEvent, context: WireErrorContext): ExtraEvent {
  const { position } = fieldsOf(event, context);
  if (typeof position !== 'number' || !Number.isInteger(position) || position < 1) {
    throw malformed(`${context.provider} sent a queue event without a position`, context);
  }
  return { extra: { type: 'queued', provider: context.provider, position } };
}

function start(event: SseEvent, context: WireErrorContext): ExtraEvent {
  const { provider, model } = fieldsOf(event, context);
  if (typeof provider !== 'string' || typeof model !== 'string') {
    throw malformed(`${context.provider} sent a start event without provider and model`, context);
  }
  return { extra: { type: 'start', provider, model, warnings: [] } };
}

function fieldsOf(event: SseEvent, context: WireErrorContext): Record<string, unknown> {
  const data = parseEventJson(event, context);
  return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
}

function malformed(message: string, context: WireErrorContext): LlmError {
  return new LlmError('upstream', message, { provider: context.provider, url: context.url });
}
