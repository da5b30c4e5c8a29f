import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  type AuthResponse,
  authResponseSchema,
  type AuthSessionList,
  authSessionListSchema,
  type ChangePasswordBody,
  changePasswordBodySchema,
  type DeleteAccountBody,
  deleteAccountBodySchema,
  type LoginBody,
  loginBodySchema,
  type RegisterBody,
  registerBodySchema,
  type User,
  userSchema,
} from '@sluice/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiException } from '../common/api.exception';
import { ApiErrors, ApiZodBody, ApiZodResponse } from '../common/openapi';
import { ParseIdPipe } from '../common/parse-id.pipe';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { UserEntity } from '../users/user.entity';
import { toUserDto } from '../users/users.service';
import { CurrentSessionId, CurrentUser, Public } from './auth.decorators';
import { AuthService, type SignedIn } from './auth.service';
import {
  clearRefreshCookie,
  readRefreshCookie,
  REFRESH_COOKIE,
  setRefreshCookie,
} from './sessions/refresh-cookie';
import { SessionsService } from './sessions/sessions.service';

const sessionId = new ParseIdPipe('Session');

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly sessions: SessionsService,
    @Inject(API_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  @Post('register')
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Create an account and sign in: an access token, and the refresh cookie' })
  @ApiZodBody(registerBodySchema)
  @ApiZodResponse(201, authResponseSchema)
  @ApiErrors('validation_failed', 'conflict', 'rate_limited', 'payload_too_large')
  async register(
    @Body(new ZodValidationPipe(registerBodySchema)) body: RegisterBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponse> {
    return this.withCookie(reply, await this.auth.register(body, request.headers['user-agent']));
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Exchange email and password for an access token and the refresh cookie' })
  @ApiZodBody(loginBodySchema)
  @ApiZodResponse(200, authResponseSchema)
  @ApiErrors('validation_failed', 'unauthorized', 'rate_limited')
  async login(
    @Body(new ZodValidationPipe(loginBodySchema)) body: LoginBody,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponse> {
    return this.withCookie(reply, await this.auth.login(body, request.headers['user-agent']));
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  @ApiCookieAuth(REFRESH_COOKIE)
  @ApiOperation({
    summary: 'A new access token for the refresh cookie, which is rotated',
    description: 'A refresh token works once: presenting a used one again ends its whole session.',
  })
  @ApiZodResponse(200, authResponseSchema)
  @ApiErrors('unauthorized')
  async refresh(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthResponse> {
    try {
      return this.withCookie(reply, await this.auth.refresh(readRefreshCookie(request)));
    } catch (error) {
      clearRefreshCookie(reply, this.config.sessions);
      throw error;
    }
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End this session: its access and refresh tokens stop working' })
  @ApiErrors('unauthorized')
  async logout(
    @CurrentUser() user: UserEntity,
    @CurrentSessionId() current: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logout(user, current);
    clearRefreshCookie(reply, this.config.sessions);
  }

  @Post('password')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Change the password; every other session ends' })
  @ApiZodBody(changePasswordBodySchema)
  @ApiErrors('validation_failed', 'unauthorized', 'wrong_password', 'rate_limited')
  changePassword(
    @CurrentUser() user: UserEntity,
    @CurrentSessionId() current: string,
    @Body(new ZodValidationPipe(changePasswordBodySchema)) body: ChangePasswordBody,
  ): Promise<void> {
    return this.auth.changePassword(user, current, body);
  }

  @Get('sessions')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The user's live sessions, most recently used first" })
  @ApiZodResponse(200, authSessionListSchema)
  @ApiErrors('unauthorized')
  async listSessions(
    @CurrentUser() user: UserEntity,
    @CurrentSessionId() current: string,
  ): Promise<AuthSessionList> {
    return { items: await this.sessions.list(user.id, current) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'End one of your sessions (another device, or this one)' })
  @ApiErrors('unauthorized', 'not_found')
  async endSession(@CurrentUser() user: UserEntity, @Param('id', sessionId) id: string): Promise<void> {
    if (!(await this.sessions.endOne(user.id, id, 'ended_by_user'))) throw ApiException.notFound('Session');
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The current user' })
  @ApiZodResponse(200, userSchema)
  @ApiErrors('unauthorized')
  me(@CurrentUser() user: UserEntity): User {
    return toUserDto(user);
  }

  @Delete('me')
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Delete the account and all its data (asks for the password)' })
  @ApiZodBody(deleteAccountBodySchema)
  @ApiErrors('validation_failed', 'unauthorized', 'wrong_password', 'rate_limited')
  async deleteAccount(
    @CurrentUser() user: UserEntity,
    @Body(new ZodValidationPipe(deleteAccountBodySchema)) body: DeleteAccountBody,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.deleteAccount(user, body.password);
    clearRefreshCookie(reply, this.config.sessions);
  }

  private withCookie(reply: FastifyReply, signedIn: SignedIn): AuthResponse {
    setRefreshCookie(reply, signedIn.refreshToken, this.config.sessions);
    return signedIn.response;
  }
}
