import { ArgumentMetadata, BadRequestException, Injectable, PipeTransform } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { declaredNesting, depthOf } from '@numerai/common';

type DtoClass = NonNullable<ArgumentMetadata['metatype']>;

/**
 * Refuses a body or query field nested deeper than its DTO lets it be, before the
 * ValidationPipe: class-transformer copies every level of a plain object it is given and
 * class-validator then walks the copy, so 64 KB nested 32 deep under a field that takes
 * `{in_app, push}` cost ~80 ms of CPU before its 400. Here the walk stops one level past
 * the field's limit. A field's limit: its `@MaxNesting(n)`, else a nested DTO's own depth,
 * else 1 (a scalar or a flat array).
 */
@Injectable()
export class NestingLimitPipe implements PipeTransform {
  private readonly limits = new WeakMap<object, Map<string, number> | null>();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (!metadata.metatype || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const limits = this.limitsOf(metadata.metatype);
    if (!limits) return value;
    const fields = value as Record<string, unknown>;
    const problems: string[] = [];
    for (const [field, max] of limits) {
      if (Object.hasOwn(fields, field) && depthOf(fields[field], max) > max) {
        problems.push(`${field} must not nest deeper than ${max} level${max === 1 ? '' : 's'}`);
      }
    }
    if (problems.length > 0) throw new BadRequestException(problems);
    return value;
  }

  /** Each declared field's deepest nesting; null for types that are not DTOs. */
  private limitsOf(type: DtoClass): Map<string, number> | null {
    let limits = this.limits.get(type);
    if (limits === undefined) {
      const fields = declaredFields(type);
      limits = fields.length > 0 ? new Map(fields.map((field) => [field, allowedDepth(type, field, new Set())])) : null;
      this.limits.set(type, limits);
    }
    return limits;
  }
}

function declaredFields(type: DtoClass): string[] {
  const rules = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(rules.map((rule) => rule.propertyName))];
}

function allowedDepth(type: DtoClass, field: string, seen: Set<DtoClass>): number {
  const declared = declaredNesting(type, field);
  if (declared !== undefined) return declared;
  const nested = Reflect.getMetadata('design:type', type.prototype as object, field) as DtoClass | undefined;
  const nestedFields = nested && !seen.has(nested) ? declaredFields(nested) : [];
  if (!nested || nestedFields.length === 0) return 1;
  seen.add(nested);
  return 1 + Math.max(...nestedFields.map((inner) => allowedDepth(nested, inner, seen)));
}
