import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { consultationId } from '@numerai/consultations';
import { type LiveSessionData, liveSessionData } from '@numerai/protocol';
import { LiveSessionsService } from './live-sessions.service';

const NOT_HERE = { not_found: 'No such consultation, or the caller does not take part in it' } as const;
const SESSION = { schema: liveSessionData.json, description: 'the session, as the `session_state` frame carries it' };

@ApiTags('live-sessions')
@Controller('api/consultations/:id/session')
export class LiveSessionsController {
  constructor(private readonly sessions: LiveSessionsService) {}

  @Post()
  @ApiOperation({
    summary:
      'Ask for a live per-minute session (the consultation’s client); the numerologist has LIVE_SESSION_ACCEPT_MS to accept',
  })
  @ApiCreatedResponse(SESSION)
  @ApiErrors({
    ...NOT_HERE,
    not_allowed: 'the caller is the numerologist',
    closed: 'the consultation is not active',
    conflict:
      'the numerologist has no rate or is not available, the balance is below one minute (no free minutes apply), or a session is already requested or running',
  })
  request(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<LiveSessionData> {
    return this.sessions.request(user, id);
  }

  @Post('accept')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Accept the pending request (the consultation’s numerologist): minute 1 starts and is charged',
  })
  @ApiOkResponse(SESSION)
  @ApiErrors({
    ...NOT_HERE,
    not_allowed: 'the caller is the client',
    conflict:
      'no pending request (or it lapsed), the client’s balance is short, or the numerologist is in another session',
  })
  accept(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<LiveSessionData> {
    return this.sessions.accept(user, id);
  }

  @Post('end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End the open session (either participant; a pending request is withdrawn or declined)' })
  @ApiOkResponse(SESSION)
  @ApiErrors({ ...NOT_HERE, conflict: 'no session is open here' })
  end(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<LiveSessionData> {
    return this.sessions.end(user, id);
  }

  @Get()
  @ApiOperation({ summary: 'The consultation’s newest live session: its state, or its summary once over' })
  @ApiOkResponse(SESSION)
  @ApiErrors({ not_found: 'No such consultation, the caller does not take part in it, or it never had a live session' })
  latest(@CurrentUser() user: Principal, @Param('id', consultationId) id: string): Promise<LiveSessionData> {
    return this.sessions.latest(user, id);
  }
}
