import type { LlmProvider } from '@sluice/llm-provider';
// The end-to-end harness boots both apps to prove the browser cannot tell the stages apart: the one
// place the API's tests reach into the gateway app.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { loadGatewayConfig } from '../../../llm/src/config/gateway-config';
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createApp as createGatewayApp } from '../../../llm/src/create-app';

/** `SLUICE_TEST_LLM_MODE=gateway` (set by `jest.gateway.config.js`) runs the suite in stage two. */
export const llmStage: 'inprocess' | 'gateway' =
  process.env['SLUICE_TEST_LLM_MODE'] === 'gateway' ? 'gateway' : 'inprocess';

export const GATEWAY_TOKEN = 'e2e-internal-gateway-token-0123456789';

/** A real gateway (apps/llm's own factory) on 127.0.0.1, an ephemeral port. */
export async function startGateway(
  env: Record<string, string | undefined>,
  providers?: LlmProvider[],
): Promise<{ url: string; close(): Promise<void> }> {
  const gateway = await createGatewayApp({
    config: loadGatewayConfig({
      LLM_GATEWAY_TOKEN: GATEWAY_TOKEN,
      ...env,
      LOG_LEVEL: process.env['SLUICE_TEST_LOG_LEVEL'] ?? 'silent',
    }),
    ...(providers ? { providers } : {}),
    logStream: { write: () => undefined },
  });
  await gateway.listen(0, '127.0.0.1');
  const { port } = gateway.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => gateway.close() };
}

/** The variables that describe the upstreams: in stage two they configure the gateway, not the API. */
const UPSTREAM_VARIABLE =
  /^(LLM_PROVIDER|LLM_MODELS_FILE|LLM_MAX_|LLM_BREAKER_|LLM_QUEUE_|OLLAMA_|OPENAI_|VLLM_)/;

export interface LlmStage {
  /** The API's environment for this stage. */
  apiEnv: Record<string, string | undefined>;
  /** Providers for the API itself (stage one only). */
  apiProviders: LlmProvider[] | undefined;
  gatewayUrl?: string;
  stopGateway(): Promise<void>;
}

/**
 * Stage one: the API gets the upstream variables as they are. Stage two: a real gateway (the same
 * factory as apps/llm's main.ts) is started on 127.0.0.1 with those variables and the API is pointed
 * at it with `LLM_MODE=gateway`, so every request crosses both hops.
 */
export async function prepareLlmStage(
  env: Record<string, string | undefined>,
  providers: LlmProvider[] | undefined,
): Promise<LlmStage> {
  if (llmStage === 'inprocess') {
    return { apiEnv: env, apiProviders: providers, stopGateway: async () => undefined };
  }
  const gatewayEnv: Record<string, string | undefined> = {};
  const apiEnv: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    if (UPSTREAM_VARIABLE.test(key)) gatewayEnv[key] = value;
    else apiEnv[key] = value;
    // Deadlines apply on both hops.
    if (/^LLM_.*_TIMEOUT_MS$/.test(key)) apiEnv[key] = value;
  }
  const gateway = await startGateway(gatewayEnv, providers);
  const gatewayUrl = gateway.url;
  return {
    apiEnv: { ...apiEnv, LLM_MODE: 'gateway', LLM_GATEWAY_URL: gatewayUrl, LLM_GATEWAY_TOKEN: GATEWAY_TOKEN },
    apiProviders: undefined,
    gatewayUrl,
    stopGateway: () => gateway.close(),
  };
}

/**
 * The LLM upstream the API's readiness reports: the model server itself in stage one, the gateway in
 * stage two (operators see the hop they run; the gateway's own readiness lists the model servers).
 */
export function upstreamSeenByApi(
  app: { gatewayUrl?: string },
  modelServer: { provider: string; kind: string; baseUrl: string },
): { provider: string; kind: string; baseUrl: string } {
  if (llmStage === 'inprocess') return modelServer;
  return { provider: 'gateway', kind: 'sluice-gateway', baseUrl: `${app.gatewayUrl}/v1` };
}
