import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type PagingQuery, pagingQuerySchema, userSchema } from '@sluice/contracts';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators';
import { ApiErrors, ApiZodQuery, ApiZodResponse } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { toUserDto, UsersService } from './users.service';

const userPageSchema = z.object({ items: z.array(userSchema), nextCursor: z.string().nullable() });

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/users')
@Roles('admin')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'All users, newest first (admin only)' })
  @ApiZodQuery(pagingQuerySchema)
  @ApiZodResponse(200, userPageSchema)
  @ApiErrors('unauthorized', 'forbidden', 'validation_failed')
  async list(@Query(new ZodValidationPipe(pagingQuerySchema)) query: PagingQuery) {
    const page = await this.users.list(query.limit, query.cursor);
    return { items: page.items.map(toUserDto), nextCursor: page.nextCursor };
  }
}
