import { applyDecorators } from '@nestjs/common';
import { WebSocketGateway } from '@nestjs/websockets';
import {
  type BuiltInClientFrame,
  builtInClientFrames,
  type ClientFrameType,
  type ContextOf,
  type EndpointContract,
  handlerName,
  type HandlerName,
  type Infer,
  type ServerFrame,
} from '@numerai/protocol';
import type { ClientConnection } from './client-connection';
import type { FrameDto } from './frame-validation';

const FRAME_HANDLERS = Symbol('numerai:frameHandlers');

export interface FrameHandlerMetadata {
  type: ClientFrameType;
  dto?: FrameDto<object>;
  method: string;
}

/** What a handler may return: a server frame for the sender alone, or nothing. */
export type FrameResult = ServerFrame | void | undefined;

/**
 * The methods a gateway of endpoint `E` must have: one per client frame of its contract
 * (`chat_message` → `onChatMessage(connection, frame)`), the built-in `ping` and `auth` aside.
 * A frame added to the contract without its handler fails to compile.
 */
export type EndpointHandlers<E extends EndpointContract> = {
  [T in Exclude<keyof E['client'], BuiltInClientFrame> & string as HandlerName<T>]: (
    connection: ClientConnection<ContextOf<E>>,
    frame: Infer<E['client'][T]>,
  ) => FrameResult | Promise<FrameResult>;
};

/**
 * Declares a class the gateway of `endpoint`: registers it with Nest at the contract's route
 * and derives its handler table (each client frame of the contract, validated against its
 * schema, to the method HandlerName names). The class must implement every handler.
 */
export function RealtimeEndpoint<E extends EndpointContract>(endpoint: E) {
  const handlers: FrameHandlerMetadata[] = Object.entries(endpoint.client)
    .filter(([type]) => !Object.hasOwn(builtInClientFrames, type))
    .map(([type, dto]) => ({ type: type as ClientFrameType, dto, method: handlerName(type) }));
  return <C extends abstract new (...args: never[]) => EndpointHandlers<E> & { readonly endpoint: E['name'] }>(
    target: C,
  ): void => {
    Reflect.defineMetadata(FRAME_HANDLERS, handlers, target);
    applyDecorators(WebSocketGateway({ path: endpoint.route }))(target);
  };
}

export function frameHandlersOf(gatewayClass: object): FrameHandlerMetadata[] {
  return Reflect.getMetadata(FRAME_HANDLERS, gatewayClass) ?? [];
}
