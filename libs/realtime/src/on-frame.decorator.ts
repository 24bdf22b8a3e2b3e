import type { ClientFrameType } from '@numerai/protocol';
import type { FrameDto } from './frame-validation';

const FRAME_HANDLERS = Symbol('numerai:frameHandlers');

export interface FrameHandlerMetadata {
  type: ClientFrameType;
  dto?: FrameDto<object>;
  method: string;
}

/**
 * Marks a gateway method as the handler of one client frame `type`. The frame is
 * validated against `dto` first; the method receives (connection, dto) and may return
 * a server frame to send back to that connection.
 */
export function OnFrame(type: ClientFrameType, dto?: FrameDto<object>): MethodDecorator {
  return (target, propertyKey) => {
    const list: FrameHandlerMetadata[] = Reflect.getMetadata(FRAME_HANDLERS, target.constructor) ?? [];
    Reflect.defineMetadata(FRAME_HANDLERS, [...list, { type, dto, method: String(propertyKey) }], target.constructor);
  };
}

export function frameHandlersOf(gatewayClass: object): FrameHandlerMetadata[] {
  return Reflect.getMetadata(FRAME_HANDLERS, gatewayClass) ?? [];
}
