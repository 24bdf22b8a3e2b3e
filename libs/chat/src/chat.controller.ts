import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal } from '@numerai/common';
import { consultationId } from '@numerai/consultations';
import { ChatService } from './chat.service';
import { HistoryQuery } from './dto/history-query';

@ApiTags('chat')
@ApiBearerAuth()
@Controller('api/consultations')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Get(':id/messages')
  @ApiOkResponse({
    description:
      '{items: message[], next_before} newest first (before / before_seq); with after_seq oldest first and ' +
      '{items, next_before: null, next_after_seq}; message = data of a chat_message frame',
  })
  history(@CurrentUser() user: Principal, @Param('id', consultationId) id: string, @Query() query: HistoryQuery) {
    return this.chat.history(user.id, id, query);
  }
}
