import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthResponse, LoginBody, RegisterBody } from '@sluice/contracts';
import { passwordProblem, passwordUserInputs } from '@sluice/contracts/password-strength';
import { ApiException } from '../common/api.exception';
import type { RuntimeConfig } from '../config/api-config';
import { API_CONFIG } from '../config/config.module';
import type { UserEntity } from '../users/user.entity';
import { toUserDto, UsersService } from '../users/users.service';
import type { AccessTokenPayload } from './jwt.strategy';
import { PasswordHasher } from './password-hasher';

@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    @Inject(API_CONFIG) private readonly config: RuntimeConfig,
    private readonly users: UsersService,
    private readonly passwords: PasswordHasher,
    private readonly jwt: JwtService,
  ) {}

  /**
   * Every account starts as a `user` (admins are made with `npm run admin -- grant`). The password is
   * hashed before the insert can tell that the email is taken, so a taken address costs the same
   * argon2 work as a new one and answers no faster.
   */
  async register(body: RegisterBody): Promise<AuthResponse> {
    const problem = passwordProblem(body.password, passwordUserInputs(body.email));
    if (problem !== undefined) throw ApiException.validation([{ path: 'password', message: problem }]);
    const passwordHash = await this.passwords.hash(body.password);
    const user = await this.users.create(body.email, passwordHash, 'user');
    this.logger.log(`Registered user ${user.id}`);
    return this.issue(user);
  }

  async login(body: LoginBody): Promise<AuthResponse> {
    const found = await this.users.findForLogin(body.email);
    const valid = await this.passwords.verify(found?.passwordHash, body.password);
    if (!found || !valid) throw ApiException.unauthorized('Wrong email or password');
    return this.issue(found);
  }

  private async issue(user: UserEntity): Promise<AuthResponse> {
    const payload: AccessTokenPayload = { sub: user.id, role: user.role };
    const accessToken = await this.jwt.signAsync(payload);
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: this.config.jwtExpiresInSeconds,
      user: toUserDto(user),
    };
  }
}
