import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { UserRole } from '@sluice/contracts';
import type { FastifyRequest } from 'fastify';
import { ApiException } from '../common/api.exception';
import type { UserEntity } from '../users/user.entity';
import { ROLES } from './auth.decorators';

/** Global, after the JWT guard: a route with `@Roles(...)` needs one of those roles. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles || roles.length === 0) return true;
    const user = context.switchToHttp().getRequest<FastifyRequest & { user?: UserEntity }>().user;
    if (!user) throw ApiException.unauthorized();
    if (!roles.includes(user.role))
      throw new ApiException('forbidden', `This needs the ${roles.join(' or ')} role`);
    return true;
  }
}
