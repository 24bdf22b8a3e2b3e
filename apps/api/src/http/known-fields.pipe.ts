import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

/**
 * Refuses a body or query with properties its DTO does not declare, before the
 * ValidationPipe turns it into a class instance: that pipe's `forbidNonWhitelisted` looks
 * only after class-transformer has walked (recursively) every property, unknown ones
 * included. Same message as the ValidationPipe's, so a 400 still names the field.
 */
@Injectable()
export class KnownFieldsPipe implements PipeTransform {
  private readonly known = new WeakMap<object, Set<string> | null>();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (!metadata.metatype || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const known = this.knownFields(metadata.metatype);
    if (!known) return value;
    const unknown = Object.keys(value).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new BadRequestException(unknown.map((key) => `property ${key} should not exist`));
    return value;
  }

  /** The DTO's declared (validated) properties, inherited ones included; null for types that are not DTOs. */
  private knownFields(metatype: NonNullable<ArgumentMetadata['metatype']>): Set<string> | null {
    let fields = this.known.get(metatype);
    if (fields === undefined) {
      const declared = getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false);
      fields = declared.length > 0 ? new Set(declared.map((rule) => rule.propertyName)) : null;
      this.known.set(metatype, fields);
    }
    return fields;
  }
}
