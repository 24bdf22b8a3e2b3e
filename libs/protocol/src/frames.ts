/**
 * Connection-level constants of the NumerAI WebSocket protocol (docs/protocol.md). The frames
 * themselves are declared once, with their endpoints, in ./endpoints.ts.
 * Types and constants only: importing this never pulls in server code.
 */

/** Close codes of protocol.md. A client must not auto-reconnect on 4400–4404. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  MessageTooBig: 1009,
  InternalError: 1011,
  BadRequest: 4400,
  Unauthorized: 4401,
  Forbidden: 4403,
  NotFound: 4404,
  IdleTimeout: 4408,
  TooManyRequests: 4429,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** Close codes after which reconnecting cannot help. */
export const TERMINAL_CLOSE_CODES: readonly number[] = [
  CloseCode.Normal,
  CloseCode.BadRequest,
  CloseCode.Forbidden,
  CloseCode.NotFound,
];
