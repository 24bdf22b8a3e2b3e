import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** `{"type":"auth","token":"…"}`: renews the connection with a fresh token for the same user. */
export class AuthFrame {
  @IsString({ message: 'token must be a string' })
  @IsNotEmpty({ message: 'token must not be empty' })
  @MaxLength(4096, { message: 'token is too long' })
  token!: string;
}
