import { createApp } from './create-app';
import { ConfigError } from '@sluice/contracts';
import { loadGatewayConfig } from './config/gateway-config';

async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const app = await createApp({ config });
  app.enableShutdownHooks();
  await app.listen(config.port, config.host);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `The LLM gateway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
