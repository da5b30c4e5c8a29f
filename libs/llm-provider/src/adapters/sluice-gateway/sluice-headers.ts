/**
 * The headers between the Sluice API and the Sluice gateway (stage two). The API names the end user
 * for per-user limits and usage; the gateway names the upstream that served, so the browser sees the
 * same provider and model in both stages.
 */
export const SLUICE_HEADERS = {
  user: 'x-sluice-user',
  servedByProvider: 'x-sluice-provider',
  servedByModel: 'x-sluice-model',
  /** Sent by the API (`1`): it reads the gateway's own stream events below. */
  streamEvents: 'x-sluice-stream-events',
} as const;

/**
 * The gateway's own SSE events, only for a caller that asked with `x-sluice-stream-events: 1` (an
 * off-the-shelf OpenAI client would take them for chunks). While a call waits in the gateway's queue
 * the response starts early and says the place (`sluice.queued`, `{"position":n}`); who serves is
 * then sent once a slot is found (`sluice.start`, `{"provider":…,"model":…}`), since the headers went
 * out before it was known. So the browser sees its place in line in stage two as in stage one.
 */
export const SLUICE_STREAM_EVENTS = {
  queued: 'sluice.queued',
  start: 'sluice.start',
} as const;
