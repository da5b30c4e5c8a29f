import { Redis, type RedisOptions } from 'ioredis';

/** Where the client reports an outage and its end; a Nest `Logger` fits. */
export interface RedisLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface SharedRedisOptions {
  log: RedisLog;
  /** What an outage means for the app, appended to the warning ("requests go through unlimited…"). */
  whileDown: string;
}

/**
 * Every counter kept in Redis (rate limits, login attempts, the auth throttler) fails open: an
 * outage must cost a request next to nothing, never a wait for a reconnect.
 */
export const REDIS_TIMEOUTS = {
  /** A host that does not answer the TCP handshake (the client retries with backoff meanwhile). */
  connectMs: 1_000,
  /**
   * A connected Redis that stops answering: a command gives up after this, and the connection is
   * dropped, so the commands after it fail at once until Redis is back. Redis answers in well under
   * a millisecond; this leaves room for the client's own event loop being busy on a loaded host,
   * which must not look like an outage.
   */
  commandMs: 500,
} as const;

const FAIL_OPEN: RedisOptions = {
  // Connected by `connectRedis()`, so the boot can wait for it.
  lazyConnect: true,
  // Without a ready connection a command fails at once instead of waiting in a queue.
  enableOfflineQueue: false,
  // A command caught by a dropped connection fails at once instead of being sent again later.
  maxRetriesPerRequest: 0,
  connectTimeout: REDIS_TIMEOUTS.connectMs,
  commandTimeout: REDIS_TIMEOUTS.commandMs,
  socketTimeout: REDIS_TIMEOUTS.commandMs,
  // ioredis arms this timer on shutdown even for a socket already gone, and it holds the process.
  disconnectTimeout: 200,
};

/**
 * The one Redis client of an app, failing fast (above). One warning per outage and one line when it
 * ends; neither names the URL's password.
 */
export function createRedisClient(url: string, options: SharedRedisOptions): Redis {
  const redis = new Redis(url, FAIL_OPEN);
  const where = redactedUrl(url);
  const password = new URL(url).password;
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    const reason = password === '' ? error.message : error.message.replaceAll(password, '***');
    options.log.warn(`Redis at ${where} is unreachable (${reason}): ${options.whileDown}`);
  });
  redis.on('ready', () => {
    if (down) options.log.log(`Redis at ${where} is reachable again`);
    down = false;
  });
  return redis;
}

/** Waits for the connection (at most the connect timeout); an unreachable Redis is the warning above. */
export async function connectRedis(redis: Redis): Promise<Redis> {
  await redis.connect().catch(() => undefined);
  return redis;
}

export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}

/** `redis://user:***@host:6379/0`: the URL as logs may show it. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
