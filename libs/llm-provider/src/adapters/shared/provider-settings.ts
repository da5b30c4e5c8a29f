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
   * The upstream is a Sluice gateway: the call's `user` (the end user's id) goes along in
   * `x-sluice-user`, and the provider and model that served come back in `x-sluice-provider` /
   * `x-sluice-model`. Never set for third-party servers.
   */
  sluiceGateway?: boolean;
}
