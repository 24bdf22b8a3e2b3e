import type { ErrorCode, ServerFrameMap } from '@numerai/protocol';

/** An expected, client-caused failure of one frame; the connection stays open. */
export class WsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { retry_after_ms?: number } = {},
  ) {
    super(message);
    this.name = 'WsError';
  }
}

export function errorFrame(
  code: ErrorCode,
  message: string,
  ref?: string,
  extra: { retry_after_ms?: number } = {},
): ServerFrameMap['error'] {
  const frame: ServerFrameMap['error'] = { type: 'error', code, message };
  if (ref !== undefined) frame.ref = ref;
  if (extra.retry_after_ms !== undefined) frame.retry_after_ms = extra.retry_after_ms;
  return frame;
}
