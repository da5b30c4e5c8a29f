import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Readiness, readinessSchema } from '@sluice/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { ApiZodResponse } from '../common/openapi';
import { HealthService, publicReadiness } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiZodResponse(200, z.object({ status: z.literal('ok') }))
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 503 only when the database is down; each LLM upstream is up, degraded or down',
  })
  @ApiZodResponse(200, readinessSchema)
  @ApiZodResponse(503, readinessSchema, 'the database is down')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = publicReadiness(await this.health.details());
    void reply.status(readiness.database.status === 'up' ? 200 : 503).header('cache-control', 'no-store');
    return readiness;
  }
}
