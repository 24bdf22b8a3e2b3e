import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, ApiPageResponse, CurrentUser, Principal } from '@numerai/common';
import { consultationId } from '@numerai/consultations';
import { chatMessageData } from '@numerai/protocol';
import { ChatService } from './chat.service';
import { HistoryQuery } from './dto/history-query';

@ApiTags('chat')
@Controller('api/consultations')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Get(':id/messages')
  @ApiOperation({ summary: 'A page of a consultation’s chat history' })
  @ApiPageResponse(
    chatMessageData.json,
    'newest first (before / before_seq); with after_seq oldest first, next_before null and next_after_seq; ' +
      'each item is the data of a chat_message frame',
    { afterSeq: true },
  )
  @ApiErrors({
    invalid: 'More than one of before, before_seq and after_seq',
    not_found: 'No such consultation, or the caller does not take part in it; or before is not one of its messages',
  })
  history(@CurrentUser() user: Principal, @Param('id', consultationId) id: string, @Query() query: HistoryQuery) {
    return this.chat.history(user.id, id, query);
  }
}
