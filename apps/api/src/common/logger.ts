import { ConsoleLogger, type LoggerService, type LogLevel as NestLogLevel } from '@nestjs/common';
import type { ApiConfig, LogLevel } from '../config/api-config';

const SEVERITY: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const NEST_LEVEL: Record<Exclude<LogLevel, 'silent'>, NestLogLevel> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  info: 'log',
  debug: 'debug',
  verbose: 'verbose',
};

/** Nest's logger at LOG_LEVEL: JSON lines in production, readable text in development; `false` when silent. */
export function createLogger(config: Pick<ApiConfig, 'logLevel' | 'nodeEnv'>): LoggerService | false {
  if (config.logLevel === 'silent') return false;
  const upTo = SEVERITY.indexOf(NEST_LEVEL[config.logLevel]);
  const production = config.nodeEnv === 'production';
  return new ConsoleLogger('Sluice', {
    logLevels: SEVERITY.slice(0, upTo + 1),
    json: production,
    colors: !production && Boolean(process.stdout.isTTY),
  });
}
