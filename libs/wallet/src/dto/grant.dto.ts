import { IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { MAX_AMOUNT_MINOR } from '../wallet.service';

export class GrantDto {
  @ApiProperty({
    type: 'integer',
    minimum: 1,
    maximum: MAX_AMOUNT_MINOR,
    description: 'minor units of WALLET_CURRENCY',
  })
  @IsInt({ message: 'amount must be a whole number of minor units' })
  @Min(1)
  @Max(MAX_AMOUNT_MINOR)
  amount!: number;

  @ApiProperty({
    minLength: 1,
    maxLength: 100,
    description: 'the same key again changes nothing and answers the first grant (retry safely)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(/^[\x21-\x7e]+$/, { message: 'idempotency_key must be printable ASCII without spaces' })
  idempotency_key!: string;
}
