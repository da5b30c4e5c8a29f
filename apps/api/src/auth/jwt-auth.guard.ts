import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ApiException } from '../common/api.exception';
import { IS_PUBLIC } from './auth.decorators';

/** Global: every route needs a valid bearer token unless it is marked `@Public()`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false, info: unknown): TUser {
    if (error instanceof Error) throw error;
    if (error) throw new Error('Authentication failed', { cause: error });
    if (!user) {
      const expired = info instanceof Error && info.name === 'TokenExpiredError';
      throw ApiException.unauthorized(
        expired ? 'The access token has expired' : 'A valid bearer token is required',
      );
    }
    return user;
  }
}
