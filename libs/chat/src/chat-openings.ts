import { Injectable } from '@nestjs/common';
import type { ServerFrameMap, ServerFrameTypeOf } from '@numerai/protocol';

/** A frame the chat endpoint declares (libs/protocol), as a feature built on chat may put it on an opening socket. */
export type ChatServerFrame = ServerFrameMap[ServerFrameTypeOf<'chat'>];

/** A feature's state of a consultation that a chat socket is shown as it opens. */
export type ChatOpening = (consultationId: string) => Promise<ChatServerFrame[]>;

/** Features that may add openings: a handful, so a mistake (registering per request) fails loudly. */
const MAX_OPENINGS = 8;

/**
 * What a chat socket is sent as it (re)connects, besides the messages it missed: the state of
 * features built on chat (a live session's `session_state`). Those features import chat, so
 * chat cannot ask them: each registers its opening here at start-up, and the chat gateway
 * sends what they give while the socket's live frames are held (so a change committed meanwhile
 * follows the snapshot instead of being overtaken by it).
 */
@Injectable()
export class ChatOpenings {
  private readonly openings: ChatOpening[] = [];

  register(opening: ChatOpening): void {
    if (this.openings.length >= MAX_OPENINGS) throw new Error('Too many chat openings registered');
    this.openings.push(opening);
  }

  /** Every registered feature's frames for `consultationId`, in the order the features registered. */
  async frames(consultationId: string): Promise<ChatServerFrame[]> {
    const frames: ChatServerFrame[] = [];
    for (const opening of this.openings) frames.push(...(await opening(consultationId)));
    return frames;
  }
}
