import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from '@sluice/contracts';
import type { FastifyRequest } from 'fastify';
import type { UserEntity } from '../users/user.entity';

export const IS_PUBLIC = 'sluice:isPublic';
export const ROLES = 'sluice:roles';

/** The route answers without a bearer token (every other route requires one). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** Only users with one of these roles may call the route (`forbidden` otherwise). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES, roles);

/** The authenticated user, loaded by the JWT strategy. */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserEntity =>
    context.switchToHttp().getRequest<FastifyRequest & { user: UserEntity }>().user,
);

/** The session the request's access token belongs to. */
export const CurrentSessionId = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string =>
    context.switchToHttp().getRequest<FastifyRequest & { sessionId: string }>().sessionId,
);
