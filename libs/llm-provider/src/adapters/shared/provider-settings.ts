import type { LlmTimeouts } from '../../contract';

/** What every adapter is built from (a ProviderConfig from the registry is one). */
export interface ProviderSettings {
  id: string;
  baseUrl: string;
  apiKey?: string;
  timeouts?: LlmTimeouts;
  /** Headers sent with every request (an organisation header, say). */
  headers?: Record<string, string>;
  /**
   * A header that carries the call's `user` (the end user's id) to the upstream. Set for the Sluice
   * gateway, which applies per-user limits; never set for third-party servers.
   */
  userHeader?: string;
}
