import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, CurrentUser, Principal } from '@numerai/common';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { profileChanges } from './profile';
import { toUserView, UserView } from './user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'The caller’s profile' })
  @ApiOkResponse({ type: UserView })
  async me(@CurrentUser() principal: Principal): Promise<UserView> {
    return toUserView(await this.users.getById(principal.id));
  }

  @Patch('me')
  @ApiOperation({ summary: 'Change the caller’s profile (name, birth date and name, time zone)' })
  @ApiOkResponse({ type: UserView })
  @ApiErrors({
    invalid:
      'birth_date is not a real day or is in the future, time_zone is not an IANA name, or a name has no visible character',
  })
  async updateMe(@CurrentUser() principal: Principal, @Body() dto: UpdateProfileDto): Promise<UserView> {
    return toUserView(await this.users.updateProfile(principal.id, profileChanges(dto, new Date())));
  }
}
