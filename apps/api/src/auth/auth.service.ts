import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthResponse, ChangePasswordBody, LoginBody, RegisterBody } from '@sluice/contracts';
import { passwordProblem, passwordUserInputs } from '@sluice/contracts/password-strength';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { UserEntity } from '../users/user.entity';
import { toUserDto, UsersService } from '../users/users.service';
import type { AccessTokenPayload } from './jwt.strategy';
import { LoginAttempts } from './login-attempts/login-attempts';
import { PasswordHasher } from './password-hasher';
import { isRefreshTokenShaped } from './sessions/refresh-token';
import { SessionsService } from './sessions/sessions.service';

/** A sign-in's two halves: the answer's access token, and the refresh token its cookie carries. */
export interface SignedIn {
  response: AuthResponse;
  refreshToken: string;
}

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: RuntimeConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly jwt: JwtService,
    private readonly sessions: SessionsService,
    private readonly attempts: LoginAttempts,
  ) {}

  /**
   * Every account starts as a `user` (admins are made with `npm run admin -- grant`). The password is
   * hashed before the insert can tell that the email is taken, so a taken address costs the same
   * argon2 work as a new one and answers no faster.
   */
  async register(body: RegisterBody, userAgent: string | undefined): Promise<SignedIn> {
    refuseWeakPassword(body.password, body.email, 'password');
    const passwordHash = await this.passwords.hash(body.password);
    const user = await this.users.create(body.email, passwordHash, 'user');
    this.logger.log(`Registered user ${user.id}`);
    return this.signIn(user, userAgent);
  }

  async login(body: LoginBody, userAgent: string | undefined): Promise<SignedIn> {
    const user = await this.attempts.guard(body.email, async () => {
      const found = await this.users.findForLogin(body.email);
      const valid = await this.passwords.verify(found?.passwordHash, body.password);
      return valid && found !== null ? found : undefined;
    });
    if (user === undefined) throw ApiException.unauthorized('Wrong email or password');
    return this.signIn(user, userAgent);
  }

  /** Trades the refresh cookie's token for a new access token and the next refresh token. */
  async refresh(refreshToken: string | undefined): Promise<SignedIn> {
    if (!isRefreshTokenShaped(refreshToken)) throw ApiException.unauthorized('Sign in to start a session');
    const rotation = await this.sessions.rotate(refreshToken);
    if (rotation.outcome === 'reused') {
      this.logger.warn('A refresh token was used twice: its session is ended');
    }
    const user = rotation.outcome === 'rotated' ? await this.users.findById(rotation.userId) : null;
    if (rotation.outcome !== 'rotated' || user === null) {
      throw ApiException.unauthorized('The session has ended; sign in again');
    }
    return {
      response: await this.accessToken(user, rotation.sessionId),
      refreshToken: rotation.refreshToken,
    };
  }

  async logout(user: UserEntity, sessionId: string): Promise<void> {
    await this.sessions.endOne(user.id, sessionId, 'signed_out');
  }

  /** A new password ends every other session: whoever else had one is out. */
  async changePassword(user: UserEntity, sessionId: string, body: ChangePasswordBody): Promise<void> {
    await this.checkPassword(user, body.currentPassword);
    refuseWeakPassword(body.newPassword, user.email, 'newPassword');
    await this.users.setPasswordHash(user.id, await this.passwords.hash(body.newPassword));
    await this.sessions.endOthers(user.id, sessionId, 'password_changed');
    this.logger.log(`User ${user.id} changed their password; their other sessions are ended`);
  }

  /** The account and everything it owns (sessions, conversations, usage: the schema cascades). */
  async deleteAccount(user: UserEntity, password: string): Promise<void> {
    await this.checkPassword(user, password);
    await this.users.delete(user.id);
    this.logger.log(`Deleted user ${user.id} and their data`);
  }

  /** The signed-in user types their password again: counted like a login, so a stolen token cannot guess. */
  private async checkPassword(user: UserEntity, password: string): Promise<void> {
    const valid = await this.attempts.guard(user.email, async () => {
      const found = await this.users.findForLogin(user.email);
      return (await this.passwords.verify(found?.passwordHash, password)) || undefined;
    });
    if (valid === undefined) throw new ApiException('wrong_password', 'That password is not right');
  }

  private async signIn(user: UserEntity, userAgent: string | undefined): Promise<SignedIn> {
    const session = await this.sessions.start(user.id, userAgent);
    return { response: await this.accessToken(user, session.sessionId), refreshToken: session.refreshToken };
  }

  private async accessToken(user: UserEntity, sessionId: string): Promise<AuthResponse> {
    const payload: AccessTokenPayload = { sub: user.id, sid: sessionId, role: user.role };
    return {
      accessToken: await this.jwt.signAsync(payload),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtExpiresInSeconds,
      user: toUserDto(user),
    };
  }
}

/** The one password rule (the contracts' strength check, with the email's words as guessable). */
function refuseWeakPassword(password: string, email: string, field: string): void {
  const problem = passwordProblem(password, passwordUserInputs(email));
  if (problem !== undefined) throw ApiException.validation([{ path: field, message: problem }]);
}
