import { BadRequestException } from '@nestjs/common';
import { IsOptional, IsString } from 'class-validator';
import { KnownFieldsPipe } from './known-fields.pipe';

class Base {
  @IsString()
  name!: string;
}

class Dto extends Base {
  @IsOptional()
  @IsString()
  note?: string;
}

describe('KnownFieldsPipe', () => {
  const pipe = new KnownFieldsPipe();
  const body = { type: 'body', metatype: Dto } as const;

  it('lets declared (and inherited) fields through untouched', () => {
    const value = { name: 'a', note: 'b' };
    expect(pipe.transform(value, body)).toBe(value);
  });

  it('refuses unknown fields by name, whatever they hold, before anything walks into them', () => {
    const deep = JSON.parse('['.repeat(30) + ']'.repeat(30)) as unknown;
    expect(() => pipe.transform({ name: 'a', extra: deep, more: 1 }, body)).toThrow(BadRequestException);
    try {
      pipe.transform({ name: 'a', extra: deep }, body);
    } catch (error) {
      expect((error as BadRequestException).getResponse()).toMatchObject({
        message: ['property extra should not exist'],
      });
    }
  });

  it('leaves params, custom arguments and types without validation rules alone', () => {
    expect(pipe.transform({ any: 1 }, { type: 'param', metatype: Dto })).toEqual({ any: 1 });
    expect(pipe.transform({ any: 1 }, { type: 'body', metatype: Object })).toEqual({ any: 1 });
  });
});
