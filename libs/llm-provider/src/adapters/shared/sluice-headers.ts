/**
 * The headers between the Sluice API and the Sluice gateway (stage two). The API names the end user
 * for per-user limits and usage; the gateway names the upstream that served, so the browser sees the
 * same provider and model in both stages.
 */
export const SLUICE_HEADERS = {
  user: 'x-sluice-user',
  servedByProvider: 'x-sluice-provider',
  servedByModel: 'x-sluice-model',
} as const;
