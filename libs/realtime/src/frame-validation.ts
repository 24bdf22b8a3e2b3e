import type { ObjectSchema, Shape } from '@numerai/protocol';
import type { RawFrame } from './frame-parser';
import { WsError } from './ws-error';

/** How an inbound frame is checked: its schema in the endpoint contract (libs/protocol). */
export type FrameDto<T extends object> = ObjectSchema<Shape> & { readonly __type?: T };

/**
 * Validates a frame against its contract schema. Only the declared fields are copied over, so
 * unknown fields are ignored (the protocol is additive) and never reach a handler.
 */
export function validateFrame<T extends object>(dto: FrameDto<T>, frame: RawFrame): T {
  const result = dto.pick(frame);
  if ('problems' in result) throw new WsError('validation_failed', result.problems.join('; '));
  return result.value as T;
}
