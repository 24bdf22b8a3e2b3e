import type { IncomingMessage } from 'node:http';
import type { Principal } from '@numerai/common';
import type { ErrorCode } from '@numerai/protocol';
import type { ClientConnection } from './client-connection';

/** What an upgrade request carries into admission. */
export interface UpgradeContext {
  principal: Principal;
  params: Record<string, string>;
  query: URLSearchParams;
  request: IncomingMessage;
}

/** A refusal: sent as one `error` frame, then the socket closes with `closeCode`. */
export interface Refusal {
  closeCode: number;
  code: ErrorCode;
  message: string;
}

/** Accepted: the room the connection joins (its contract's `room(key)`) and the gateway's own state for it. */
export interface Admission<Context = unknown> {
  room: string;
  context: Context;
}

/** What each gateway tells the runtime about itself. */
export interface EndpointHooks {
  /** Its contract's name. */
  readonly endpoint: string;
  /** Endpoint-specific checks after authentication (e.g. chat: the caller takes part in the consultation). */
  admit(upgrade: UpgradeContext): Promise<Admission | Refusal>;
  /** Right after `connection_established` was sent. */
  opened?(connection: ClientConnection, query: URLSearchParams): void | Promise<void>;
  closed?(connection: ClientConnection): void;
  /** The extra fields of this endpoint's `connection_established` frame. */
  established(connection: ClientConnection): { message: string; consultation_id?: string };
}

export function isRefusal<T extends object>(result: T | Refusal): result is Refusal {
  return 'closeCode' in result;
}
