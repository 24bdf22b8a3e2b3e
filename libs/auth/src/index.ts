export * from './auth.module';
export * from './auth.service';
export * from './authenticator';
export * from './jwt-auth.guard';
export * from './password-hasher';
export * from './roles.guard';
export * from './token.service';
export * from './dto/register.dto';
