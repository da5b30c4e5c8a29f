import { Module } from '@nestjs/common';
import { ModelsController } from './models.controller';

/** The registry comes from the global `LlmModule`. */
@Module({ controllers: [ModelsController] })
export class ModelsModule {}
