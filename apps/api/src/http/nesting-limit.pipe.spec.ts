import { BadRequestException } from '@nestjs/common';
import { IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { MaxNesting } from '@numerai/common';
import { NestingLimitPipe } from './nesting-limit.pipe';

class Keys {
  @IsString()
  a!: string;
}

class Dto {
  @IsOptional()
  @IsString()
  name?: string;

  @IsOptional()
  @IsObject()
  @MaxNesting(2)
  types?: Record<string, unknown>;

  @IsOptional()
  @ValidateNested()
  keys?: Keys;
}

const nested = (depth: number): unknown => (depth === 0 ? 1 : { x: nested(depth - 1) });

describe('NestingLimitPipe', () => {
  const pipe = new NestingLimitPipe();
  const body = { type: 'body', metatype: Dto } as const;
  const problems = (value: unknown) => {
    try {
      pipe.transform(value, body);
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      return (error as BadRequestException).getResponse() as { message: string[] };
    }
  };

  it('lets each field nest as deep as its DTO declares', () => {
    const value = { name: 'n', types: nested(2), keys: { a: 'x' } };
    expect(pipe.transform(value, body)).toBe(value);
  });

  it('refuses by name a field nested deeper: @MaxNesting, a nested DTO its own depth, anything else one level', () => {
    expect(problems({ types: nested(3) })).toMatchObject({ message: ['types must not nest deeper than 2 levels'] });
    expect(problems({ keys: { a: { b: { c: 1 } } } })).toMatchObject({
      message: ['keys must not nest deeper than 2 levels'],
    });
    expect(problems({ name: [[1]] })).toMatchObject({ message: ['name must not nest deeper than 1 level'] });
  });

  it('stops walking one level past the limit, however deep the value goes', () => {
    const deep = JSON.parse('{"x":'.repeat(5000) + '1' + '}'.repeat(5000)) as unknown;
    expect(problems({ types: deep })).toMatchObject({ message: ['types must not nest deeper than 2 levels'] });
  });

  it('leaves params and types without validation rules alone', () => {
    expect(pipe.transform({ types: nested(9) }, { type: 'param', metatype: Dto })).toEqual({ types: nested(9) });
    expect(pipe.transform({ types: nested(9) }, { type: 'body', metatype: Object })).toEqual({ types: nested(9) });
  });
});
