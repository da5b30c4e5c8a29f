import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LlmProvider } from '@sluice/llm-provider';
import { loadGatewayConfig } from '../../src/config/gateway-config';
import { createApp } from '../../src/create-app';

export const TOKEN = 'test-gateway-token-0123456789';
export const OTHER_TOKEN = 'rotated-gateway-token-abcdef';

export interface TestGateway {
  app: NestFastifyApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Every JSON log line the gateway wrote, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log output, for "never contains" checks. */
  rawLogs: () => string;
  close(): Promise<void>;
}

export interface StartGatewayOptions {
  /** Environment for the configuration (tokens default to TOKEN). */
  env?: Record<string, string | undefined>;
  providers?: LlmProvider[];
}

/** Boots the real gateway on 127.0.0.1 port 0, with its configuration read from `env`, logs captured. */
export async function startGateway(options: StartGatewayOptions = {}): Promise<TestGateway> {
  const config = loadGatewayConfig({
    LLM_GATEWAY_TOKEN: TOKEN,
    LOG_LEVEL: 'debug',
    LLM_SHUTDOWN_GRACE_MS: '200',
    ...options.env,
  });
  const lines: string[] = [];
  const app = await createApp({
    config,
    ...(options.providers ? { providers: options.providers } : {}),
    logStream: { write: (line: string) => void lines.push(line) },
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => lines.join(''),
    close: () => app.close(),
  };
}

/** The log lines that close a request (one per request). */
export function requestLines(gateway: TestGateway): Record<string, unknown>[] {
  return gateway.logs.filter((line) => line.msg === 'request completed');
}

/**
 * Polls `probe` until it returns something other than undefined: a request's log line and metrics are
 * written when its response closes, a moment after the client has read the end.
 */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 2_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('eventually: the condition did not hold in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
