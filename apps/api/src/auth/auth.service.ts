import { Inject, Injectable, Logger } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AuthResponse, LoginBody, RegisterBody } from '@sluice/contracts';
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

  async register(body: RegisterBody): Promise<AuthResponse> {
    const role = this.config.adminEmails.includes(body.email) ? 'admin' : 'user';
    const user = await this.users.create(body.email, await this.passwords.hash(body.password), role);
    this.logger.log(`Registered user ${user.id} (${role})`);
    return this.issue(user);
  }

  async login(body: LoginBody): Promise<AuthResponse> {
    const found = await this.users.findForLogin(body.email);
    const valid = await this.passwords.verify(found?.passwordHash, body.password);
    if (!found || !valid) throw ApiException.unauthorized('Wrong email or password');
    let user: UserEntity = found;
    if (user.role !== 'admin' && this.config.adminEmails.includes(user.email)) {
      user = await this.users.setRole(user, 'admin');
    }
    return this.issue(user);
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
