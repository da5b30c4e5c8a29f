import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';

export interface AccessTokenPayload {
  sub: string;
  role: string;
}

@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(API_CONFIG) config: RuntimeConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: config.jwtSecret,
      algorithms: ['HS256'],
      ignoreExpiration: false,
    });
  }

  /** The user is read again on every request: a deleted user's or a demoted admin's token stops working. */
  async validate(payload: AccessTokenPayload): Promise<UserEntity> {
    const user = typeof payload.sub === 'string' ? await this.users.findById(payload.sub) : null;
    if (!user) throw ApiException.unauthorized('The access token does not name a user');
    return user;
  }
}
