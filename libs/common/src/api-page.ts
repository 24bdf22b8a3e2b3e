import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, getSchemaPath } from '@nestjs/swagger';

/** A JSON Schema object (an OpenAPI 3.0 schema), e.g. a protocol frame's `data` schema. */
export type JsonSchemaObject = Record<string, unknown>;

/**
 * A 200 answering a Page of `item` (a class with @ApiProperty fields, or a schema such as a
 * frame's data, which REST pages carry too). `afterSeq`: the route also pages oldest first
 * from `?after_seq=`, answering `next_after_seq`.
 */
export function ApiPageResponse(
  item: Type | JsonSchemaObject,
  description: string,
  { afterSeq = false } = {},
): MethodDecorator & ClassDecorator {
  const items = typeof item === 'function' ? { $ref: getSchemaPath(item) } : item;
  return applyDecorators(
    ...(typeof item === 'function' ? [ApiExtraModels(item)] : []),
    ApiOkResponse({
      description,
      schema: {
        type: 'object',
        required: ['items', 'next_before'],
        properties: {
          items: { type: 'array', items },
          next_before: {
            type: 'string',
            format: 'uuid',
            nullable: true,
            description: 'the `before` of the next (older) page; null on the last one',
          },
          ...(afterSeq && {
            next_after_seq: {
              type: 'integer',
              minimum: 0,
              nullable: true,
              description: 'only with after_seq: the `after_seq` of the next page; null on the last one',
            },
          }),
        },
      },
    }),
  );
}
