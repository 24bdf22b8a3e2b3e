import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, DEFAULT_PAGE_SIZE, PageQuery, Principal } from '@numerai/common';
import { consultationId } from '@numerai/consultations';
import { ChatService } from './chat.service';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('api/consultations')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Get(':id/messages')
  @ApiOkResponse({
    description: '{items: message[], next_before} newest first; message = data of a chat_message frame',
  })
  history(@CurrentUser() user: Principal, @Param('id', consultationId) id: string, @Query() query: PageQuery) {
    return this.chat.history(user.id, id, query.before, query.limit ?? DEFAULT_PAGE_SIZE);
  }
}
