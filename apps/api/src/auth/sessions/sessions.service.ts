import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AuthSession } from '@sluice/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import type { RuntimeConfig, SessionSettings } from '../../config/api-config';
import { API_CONFIG } from '../../config/config.module';
import { UserEntity } from '../../users/user.entity';
import { AuthSessionEntity, type SessionEndReason } from './auth-session.entity';
import { hashRefreshToken, newRefreshToken } from './refresh-token';

const USER_AGENT_MAX_CHARS = 256;
/** Ended and expired sessions stay listed to nobody; their rows go after this long. */
const KEEP_ENDED_DAYS = 30;

export interface IssuedSession {
  sessionId: string;
  refreshToken: string;
}

/** How a refresh token was received: rotated, or why not. */
export type Rotation =
  ({ outcome: 'rotated'; userId: string } & IssuedSession) | { outcome: 'unknown' | 'ended' | 'reused' };

/**
 * Sign-ins that can end. A session holds refresh tokens that are used once each: `rotate` trades one
 * for the next, and a token presented a second time (a copy in someone else's hands) ends the whole
 * session. Access tokens name their session; `userOfLiveSession` is how each request checks it.
 */
@Injectable()
export class SessionsService {
  private readonly settings: SessionSettings;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(API_CONFIG) config: RuntimeConfig,
  ) {
    this.settings = config.sessions;
  }

  async start(userId: string, userAgent: string | undefined): Promise<IssuedSession> {
    const refreshToken = newRefreshToken();
    const sessionId = await this.dataSource.transaction(async (manager) => {
      const [row] = await manager.query<[{ id: string }]>(
        `INSERT INTO auth_sessions (user_id, user_agent, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING id`,
        [userId, userAgent?.slice(0, USER_AGENT_MAX_CHARS) ?? null, this.settings.idleTimeoutSeconds],
      );
      await this.addToken(manager, row.id, refreshToken);
      await manager.query(
        `DELETE FROM auth_sessions WHERE user_id = $1
           AND COALESCE(ended_at, expires_at) < now() - make_interval(days => $2)`,
        [userId, KEEP_ENDED_DAYS],
      );
      return row.id;
    });
    return { sessionId, refreshToken };
  }

  /** Trades a refresh token for the next one. The token's row is locked: two uses cannot both pass. */
  rotate(refreshToken: string): Promise<Rotation> {
    const tokenHash = hashRefreshToken(refreshToken);
    return this.dataSource.transaction(async (manager): Promise<Rotation> => {
      const [row] = await manager.query<
        ({ session_id: string; used: boolean; user_id: string; live: boolean } | undefined)[]
      >(
        `SELECT t.session_id, t.used_at IS NOT NULL AS used, s.user_id,
                s.ended_at IS NULL AND s.expires_at > now() AS live
           FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
          WHERE t.token_hash = $1
            FOR UPDATE OF t`,
        [tokenHash],
      );
      if (!row) return { outcome: 'unknown' };
      if (!row.live) return { outcome: 'ended' };
      if (row.used) {
        await this.end(manager, 'token_reused', 'id = $2', [row.session_id]);
        return { outcome: 'reused' };
      }
      await manager.query(`UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1`, [tokenHash]);
      const next = newRefreshToken();
      await this.addToken(manager, row.session_id, next);
      const { idleTimeoutSeconds, maxAgeSeconds } = this.settings;
      await manager.query(
        `UPDATE auth_sessions
            SET last_used_at = now(),
                expires_at = LEAST(now() + make_interval(secs => $2), created_at + make_interval(secs => $3))
          WHERE id = $1`,
        [row.session_id, idleTimeoutSeconds, maxAgeSeconds],
      );
      // A used token matters only while it could still be replayed against a live session.
      await manager.query(
        `DELETE FROM refresh_tokens
          WHERE session_id = $1 AND used_at < now() - make_interval(secs => $2)`,
        [row.session_id, idleTimeoutSeconds],
      );
      return { outcome: 'rotated', userId: row.user_id, sessionId: row.session_id, refreshToken: next };
    });
  }

  /** The user an access token names, if its session is still live: checked on every request. */
  userOfLiveSession(sessionId: string, userId: string): Promise<UserEntity | null> {
    return this.dataSource
      .getRepository(UserEntity)
      .createQueryBuilder('u')
      .innerJoin(AuthSessionEntity, 's', 's.user_id = u.id')
      .where('u.id = :userId AND s.id = :sessionId', { userId, sessionId })
      .andWhere('s.ended_at IS NULL AND s.expires_at > now()')
      .getOne();
  }

  /** Ends one of the user's live sessions; false when there is none by that id. */
  async endOne(userId: string, sessionId: string, reason: SessionEndReason): Promise<boolean> {
    const ended = await this.dataSource.transaction((manager) =>
      this.end(manager, reason, 'id = $2 AND user_id = $3', [sessionId, userId]),
    );
    return ended > 0;
  }

  /** Ends every live session of the user but one (the caller's). */
  async endOthers(userId: string, keepSessionId: string, reason: SessionEndReason): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.end(manager, reason, 'user_id = $2 AND id <> $3', [userId, keepSessionId]),
    );
  }

  /** The user's live sessions, most recently used first. */
  async list(userId: string, currentSessionId: string): Promise<AuthSession[]> {
    const rows = await this.dataSource
      .getRepository(AuthSessionEntity)
      .createQueryBuilder('s')
      .where('s.userId = :userId AND s.endedAt IS NULL AND s.expiresAt > now()', { userId })
      .orderBy('s.lastUsedAt', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
    return rows.map((row) => ({
      id: row.id,
      userAgent: row.userAgent,
      createdAt: row.createdAt.toISOString(),
      lastUsedAt: row.lastUsedAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      current: row.id === currentSessionId,
    }));
  }

  /** Ends the live sessions `where` picks (its parameters from $2) and drops their refresh tokens. */
  private async end(
    manager: EntityManager,
    reason: SessionEndReason,
    where: string,
    params: unknown[],
  ): Promise<number> {
    // TypeORM answers an UPDATE as [rows, count].
    const [rows] = await manager.query<[{ id: string }[], number]>(
      `UPDATE auth_sessions SET ended_at = now(), end_reason = $1
        WHERE ended_at IS NULL AND ${where} RETURNING id`,
      [reason, ...params],
    );
    const ids = rows.map((row) => row.id);
    if (ids.length > 0) await manager.query(`DELETE FROM refresh_tokens WHERE session_id = ANY($1)`, [ids]);
    return ids.length;
  }

  private addToken(manager: EntityManager, sessionId: string, token: string): Promise<unknown> {
    return manager.query(`INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)`, [
      hashRefreshToken(token),
      sessionId,
    ]);
  }
}
