import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import {
  authResponseSchema,
  type LoginBody,
  loginBodySchema,
  type RegisterBody,
  registerBodySchema,
  type User,
  userSchema,
} from '@sluice/contracts';
import { ApiErrors, ApiZodBody, ApiZodResponse } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { UserEntity } from '../users/user.entity';
import { toUserDto } from '../users/users.service';
import { CurrentUser, Public } from './auth.decorators';
import { AuthService } from './auth.service';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Create an account; answers a token like login' })
  @ApiZodBody(registerBodySchema)
  @ApiZodResponse(201, authResponseSchema)
  @ApiErrors('validation_failed', 'conflict', 'rate_limited', 'payload_too_large')
  register(@Body(new ZodValidationPipe(registerBodySchema)) body: RegisterBody) {
    return this.auth.register(body);
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Exchange email and password for an access token' })
  @ApiZodBody(loginBodySchema)
  @ApiZodResponse(200, authResponseSchema)
  @ApiErrors('validation_failed', 'unauthorized', 'rate_limited')
  login(@Body(new ZodValidationPipe(loginBodySchema)) body: LoginBody) {
    return this.auth.login(body);
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The current user' })
  @ApiZodResponse(200, userSchema)
  @ApiErrors('unauthorized')
  me(@CurrentUser() user: UserEntity): User {
    return toUserDto(user);
  }
}
