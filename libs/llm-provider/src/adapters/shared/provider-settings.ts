import type { LlmTimeouts } from '../../contract';

/** What every adapter is built from (a ProviderConfig from the registry is one). */
export interface ProviderSettings {
  id: string;
  baseUrl: string;
  apiKey?: string;
  timeouts?: LlmTimeouts;
  /** Headers sent with every request (an organisation header, say). */
  headers?: Record<string, string>;
}
