import { Controller, Get, Header } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type HealthDetails, healthDetailsSchema } from '@sluice/contracts';
import { Roles } from '../auth/auth.decorators';
import { ApiErrors, ApiZodResponse } from '../common/openapi';
import { HealthService } from './health.service';

@ApiTags('admin')
@ApiBearerAuth()
@Controller('admin/health')
@Roles('admin')
export class AdminHealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Readiness with the details (admin only): addresses, errors, circuits, failing models, timings',
  })
  @ApiZodResponse(200, healthDetailsSchema)
  @ApiErrors('unauthorized', 'forbidden')
  details(): Promise<HealthDetails> {
    return this.health.details();
  }
}
