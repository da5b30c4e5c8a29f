import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import { REDIS } from '../shared-state/shared-state.module';
import { RedisThrottlerStorage } from '../shared-state/redis-throttler-storage';
import type { Redis } from 'ioredis';
import { UsersModule } from '../users/users.module';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LoginAttempts } from './login-attempts/login-attempts';
import { PasswordHasher } from './password-hasher';
import { RolesGuard } from './roles.guard';
import { UserRequestLimit } from './user-request-limit.guard';
import { SessionsService } from './sessions/sessions.service';

@Module({
  imports: [
    UsersModule,
    PassportModule,
    JwtModule.registerAsync({
      inject: [API_CONFIG],
      useFactory: (config: RuntimeConfig) => ({
        secret: config.jwtSecret,
        signOptions: { algorithm: 'HS256', expiresIn: config.jwtExpiresInSeconds },
        verifyOptions: { algorithms: ['HS256'] },
      }),
    }),
    // Login and register attempts per client IP; the guard is on those two routes only. Counted in
    // Redis when there is one, so replicas share the limit.
    ThrottlerModule.forRootAsync({
      inject: [API_CONFIG, REDIS],
      useFactory: (config: RuntimeConfig, redis: Redis | null) => ({
        throttlers: [{ name: 'default', ttl: config.authRateWindowMs, limit: config.authRateLimit }],
        ...(redis === null ? {} : { storage: new RedisThrottlerStorage(redis) }),
      }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionsService,
    LoginAttempts,
    PasswordHasher,
    JwtStrategy,
    // Order matters: authenticate, then check the role, then count the request against the user.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    { provide: APP_GUARD, useClass: UserRequestLimit },
  ],
})
export class AuthModule {}
