import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { UserEntity } from '../users/user.entity';
import { SessionsService } from './sessions/sessions.service';

export interface AccessTokenPayload {
  sub: string;
  /** The session the token was issued for: when it ends, the token stops working. */
  sid: string;
  role: string;
}

/** What the JWT strategy leaves on an authenticated request. */
export type AuthenticatedRequest = FastifyRequest & { user: UserEntity; sessionId: string };

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(API_CONFIG) config: RuntimeConfig,
    private readonly sessions: SessionsService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
      passReqToCallback: true,
    });
  }

  /**
   * The user and the session are read again on every request (one query): a deleted user's token, a
   * demoted admin's role, and the token of a session that was signed out or ended stop working at once.
   */
  async validate(request: AuthenticatedRequest, payload: AccessTokenPayload): Promise<UserEntity> {
    const named = typeof payload.sub === 'string' && typeof payload.sid === 'string';
    const user = named ? await this.sessions.userOfLiveSession(payload.sid, payload.sub) : null;
    if (!user) throw ApiException.unauthorized('The session of this access token has ended');
    request.sessionId = payload.sid;
    return user;
  }
}
