import { Body, Controller, Param, ParseUUIDPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Roles, RolesGuard } from '@numerai/auth';
import { ApiErrors } from '@numerai/common';
import { GrantDto } from './dto/grant.dto';
import { WalletService } from './wallet.service';
import { TransferResult } from './wallet.view';

@ApiTags('admin')
@UseGuards(RolesGuard)
@Roles('admin')
@Controller('api/admin/wallets/:userId')
export class AdminWalletsController {
  constructor(private readonly wallets: WalletService) {}

  @Post('grants')
  @ApiOperation({ summary: 'Credit a user’s wallet from the platform (admins only)' })
  @ApiCreatedResponse({ type: TransferResult, description: 'granted' })
  @ApiOkResponse({
    type: TransferResult,
    description: 'this idempotency key was used already: that grant, nothing new',
  })
  @ApiErrors({
    invalid: 'userId is not a UUID',
    not_allowed: 'Admins only',
    not_found: 'No such user (or an erased one)',
    conflict: 'the idempotency key was used for a different transfer',
  })
  async grant(
    @Param('userId', ParseUUIDPipe) userId: string,
    @Body() dto: GrantDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransferResult> {
    const result = await this.wallets.grant(userId, dto.amount, `grant:${dto.idempotency_key}`);
    res.status(result.applied ? 201 : 200);
    return result;
  }
}
