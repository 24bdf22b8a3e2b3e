import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, PageQuery, Principal } from '@numerai/common';
import { WalletService } from './wallet.service';
import { WalletView } from './wallet.view';

@ApiTags('wallet')
@Controller('api/wallet')
export class WalletController {
  constructor(private readonly wallets: WalletService) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s wallet: balance, currency and entries, newest first' })
  @ApiOkResponse({ type: WalletView })
  view(@CurrentUser() user: Principal, @Query() query: PageQuery): Promise<WalletView> {
    return this.wallets.view(user.id, query);
  }
}
