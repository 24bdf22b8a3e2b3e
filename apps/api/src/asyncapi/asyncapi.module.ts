import { Module } from '@nestjs/common';
import { AsyncApiController } from './asyncapi.controller';

/** GET /api/asyncapi.json and GET /api/asyncapi (see AsyncApiController). */
@Module({ controllers: [AsyncApiController] })
export class AsyncApiModule {}
