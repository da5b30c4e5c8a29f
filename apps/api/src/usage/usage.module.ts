import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsageRecordEntity } from './usage-record.entity';
import { UsageRecordsService } from './usage-records.service';
import { UsageController } from './usage.controller';
import { UsageService } from './usage.service';

@Module({
  imports: [TypeOrmModule.forFeature([UsageRecordEntity])],
  controllers: [UsageController],
  providers: [UsageService, UsageRecordsService],
  exports: [UsageRecordsService],
})
export class UsageModule {}
