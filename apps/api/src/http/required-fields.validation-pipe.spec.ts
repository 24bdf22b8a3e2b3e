import { BadRequestException } from '@nestjs/common';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { RequiredFieldsValidationPipe } from './required-fields.validation-pipe';

class Dto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(256)
  password!: string;

  @IsOptional()
  @IsEmail()
  email?: string;
}

describe('RequiredFieldsValidationPipe', () => {
  const pipe = new RequiredFieldsValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  const problems = async (value: unknown) => {
    try {
      await pipe.transform(value, { type: 'body', metatype: Dto });
      return [];
    } catch (error) {
      expect(error).toBeInstanceOf(BadRequestException);
      return ((error as BadRequestException).getResponse() as { message: string[] }).message;
    }
  };

  it('a missing required field (no body at all included) is "<field> is required", once', async () => {
    expect(await problems(undefined)).toEqual(['password is required']);
    expect(await problems({})).toEqual(['password is required']);
  });

  it('the other problems of the body are still reported; a present but wrong value keeps its own messages', async () => {
    expect(await problems({ email: 'not an email' })).toEqual(['password is required', 'email must be an email']);
    expect(await problems({ password: '' })).toEqual(['password should not be empty']);
  });
});
