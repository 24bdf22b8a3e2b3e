import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  BadRequestException,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Page, PageQuery, Principal } from '@numerai/common';
import { BlocksService } from './blocks.service';
import { BlockView } from './block.view';
import { CreateBlockDto } from './dto/block.dto';

const userId = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('user_id must be a UUID') });

@ApiTags('blocks')
@ApiBearerAuth()
@Controller('api/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Post()
  @ApiCreatedResponse({
    type: BlockView,
    description: 'blocked; 200 with the same when the client was blocked already',
  })
  @ApiForbiddenResponse({ description: 'the caller is not a numerologist' })
  @ApiNotFoundResponse({ description: 'no such client, or one who never had a consultation with the caller' })
  async block(
    @CurrentUser() user: Principal,
    @Body() dto: CreateBlockDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BlockView> {
    const { block, created } = await this.blocks.block(user, dto.user_id);
    res.status(created ? 201 : 200);
    return block;
  }

  @Get()
  @ApiOkResponse({ description: '{items: block[], next_before} newest first' })
  list(@CurrentUser() user: Principal, @Query() query: PageQuery): Promise<Page<BlockView>> {
    return this.blocks.list(user.id, query);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'unblocked (also when the client was not blocked): they may book again' })
  async unblock(@CurrentUser() user: Principal, @Param('user_id', userId) clientId: string): Promise<void> {
    await this.blocks.unblock(user.id, clientId);
  }
}
