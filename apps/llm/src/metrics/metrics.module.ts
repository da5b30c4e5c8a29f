import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics';
import { KnownModels } from './known-models';
import { MetricsController } from './metrics.controller';

@Global()
@Module({
  controllers: [MetricsController],
  providers: [GatewayMetrics, KnownModels],
  exports: [GatewayMetrics],
})
export class MetricsModule {}
