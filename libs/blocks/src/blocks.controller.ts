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
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiErrors, ApiPageResponse, CurrentUser, Page, PageQuery, Principal } from '@numerai/common';
import { BlocksService } from './blocks.service';
import { BlockView } from './block.view';
import { CreateBlockDto } from './dto/block.dto';

const userId = new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('user_id must be a UUID') });

@ApiTags('blocks')
@Controller('api/blocks')
export class BlocksController {
  constructor(private readonly blocks: BlocksService) {}

  @Post()
  @ApiOperation({ summary: 'Block a client (numerologists only)' })
  @ApiCreatedResponse({ type: BlockView, description: 'blocked' })
  @ApiOkResponse({ type: BlockView, description: 'the client was blocked already: that block' })
  @ApiErrors({
    not_allowed: 'the caller is not a numerologist',
    not_found: 'no such client, or one who never had a consultation with the caller',
  })
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
  @ApiOperation({ summary: 'The caller’s blocks, newest first' })
  @ApiPageResponse(BlockView, 'newest first')
  list(@CurrentUser() user: Principal, @Query() query: PageQuery): Promise<Page<BlockView>> {
    return this.blocks.list(user.id, query);
  }

  @Delete(':user_id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Unblock a client' })
  @ApiNoContentResponse({ description: 'unblocked (also when the client was not blocked): they may book again' })
  async unblock(@CurrentUser() user: Principal, @Param('user_id', userId) clientId: string): Promise<void> {
    await this.blocks.unblock(user.id, clientId);
  }
}
