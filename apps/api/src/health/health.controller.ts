import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Readiness, readinessSchema } from '@sluice/contracts';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { Public } from '../auth/auth.decorators';
import { ApiZodResponse } from '../common/openapi';
import { HealthService } from './health.service';

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
  @ApiOperation({ summary: 'Readiness: 503 only when the database is down; LLM upstreams are listed' })
  @ApiZodResponse(200, readinessSchema)
  @ApiZodResponse(503, readinessSchema, 'the database is down')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<Readiness> {
    const readiness = await this.health.readiness();
    void reply.status(readiness.database.ok ? 200 : 503).header('cache-control', 'no-store');
    return readiness;
  }
}
