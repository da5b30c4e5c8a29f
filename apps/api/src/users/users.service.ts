import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { User, UserRole } from '@sluice/contracts';
import { Repository } from 'typeorm';
import { ApiException } from '../common/api.exception';
import { type Cursor, decodeCursor, encodeCursor } from '../common/cursor';
import { sqlState, UNIQUE_VIOLATION } from '../common/postgres-errors';
import { UserEntity } from './user.entity';

export function toUserDto(user: UserEntity): User {
  return { id: user.id, email: user.email, role: user.role, createdAt: user.createdAt.toISOString() };
}

@Injectable()
export class UsersService {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  /** `conflict` when the (lower-cased) email is taken, including by a concurrent registration. */
  async create(email: string, passwordHash: string, role: UserRole): Promise<UserEntity> {
    try {
      const inserted = await this.users.insert({ email, passwordHash, role });
      const id = (inserted.identifiers[0] as { id: string }).id;
      return await this.users.findOneByOrFail({ id });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION) {
        // No more than the status says; the email is not repeated (README.md "Security").
        throw new ApiException('conflict', 'This email cannot be registered: sign in, or use another email');
      }
      throw error;
    }
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  /** With the password hash, for login only. */
  findForLogin(email: string): Promise<UserEntity | null> {
    return this.users
      .createQueryBuilder('u')
      .addSelect('u.passwordHash')
      .where('u.email = :email', { email })
      .getOne();
  }

  async setRole(user: UserEntity, role: UserRole): Promise<UserEntity> {
    await this.users.update({ id: user.id }, { role });
    return { ...user, role };
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.users.update({ id }, { passwordHash });
  }

  /** The user's rows go with it: every table that names a user cascades. */
  async delete(id: string): Promise<void> {
    await this.users.delete({ id });
  }

  /** Newest first, by cursor. */
  async list(limit: number, cursor?: string): Promise<{ items: UserEntity[]; nextCursor: string | null }> {
    const query = this.users
      .createQueryBuilder('u')
      .orderBy('u.createdAt', 'DESC')
      .addOrderBy('u.id', 'DESC');
    if (cursor !== undefined) {
      const after: Cursor = decodeCursor(cursor);
      query.where('(u.createdAt, u.id) < (:at, :id)', { at: after.at, id: after.id });
    }
    const rows = await query.limit(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }
}
