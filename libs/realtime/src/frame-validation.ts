import { validateSync, ValidationError } from 'class-validator';
import type { RawFrame } from './frame-parser';
import { WsError } from './ws-error';

export type FrameDto<T> = new () => T;

/**
 * Validates a frame with the same class-validator DTOs style the REST API uses. Only
 * the DTO's declared fields are copied over, so unknown fields are ignored (the
 * protocol is additive) and never reach a handler.
 */
export function validateFrame<T extends object>(dto: FrameDto<T>, frame: RawFrame): T {
  const instance = new dto();
  const errors = validateSync(Object.assign(instance, frame), {
    whitelist: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
  });
  if (errors.length > 0) throw new WsError('validation_failed', describe(errors));
  return instance;
}

function describe(errors: ValidationError[]): string {
  return errors
    .flatMap((error) => Object.values(error.constraints ?? { invalid: `${error.property} is invalid` }))
    .join('; ');
}
