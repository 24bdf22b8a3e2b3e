import { ValidationError, ValidationPipe } from '@nestjs/common';

/**
 * The global ValidationPipe, except that a required field that is missing is said to be
 * required (`password is required`) instead of failing every one of its rules, the
 * last-declared first (`password must be shorter than or equal to 256 characters`).
 * Every other problem of the same body is still reported with it. class-validator skips
 * optional fields that are absent, so an error on an absent value is a required field.
 */
export class RequiredFieldsValidationPipe extends ValidationPipe {
  override createExceptionFactory(): (errors?: ValidationError[]) => unknown {
    const factory = super.createExceptionFactory();
    return (errors = []) => factory(errors.map(sayRequired));
  }
}

function sayRequired(error: ValidationError): ValidationError {
  if (error.value === undefined && error.constraints) {
    return { ...error, constraints: { isDefined: `${error.property} is required` } };
  }
  return { ...error, children: error.children?.map(sayRequired) };
}
