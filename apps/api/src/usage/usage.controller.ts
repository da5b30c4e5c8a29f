import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type UsageQuery, usageQuerySchema, type UsageReport, usageReportSchema } from '@sluice/contracts';
import { CurrentUser } from '../auth/auth.decorators';
import { ApiErrors, ApiZodQuery, ApiZodResponse } from '../common/openapi';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import type { UserEntity } from '../users/user.entity';
import { UsageService } from './usage.service';

@ApiTags('usage')
@ApiBearerAuth()
@Controller('usage')
export class UsageController {
  constructor(private readonly usage: UsageService) {}

  @Get()
  @ApiOperation({ summary: "The caller's token usage per UTC day and model (default: the last 30 days)" })
  @ApiZodQuery(usageQuerySchema)
  @ApiZodResponse(200, usageReportSchema)
  @ApiErrors('unauthorized', 'validation_failed')
  report(
    @CurrentUser() user: UserEntity,
    @Query(new ZodValidationPipe(usageQuerySchema)) query: UsageQuery,
  ): Promise<UsageReport> {
    return this.usage.report(user.id, query);
  }
}
