import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Principal } from '@numerai/common';
import { UpdateProfileDto } from './dto/update-profile.dto';
import { profileChanges } from './profile';
import { toUserView, UserView } from './user.view';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('api/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get('me')
  @ApiOkResponse({ type: UserView })
  async me(@CurrentUser() principal: Principal): Promise<UserView> {
    return toUserView(await this.users.getById(principal.id));
  }

  @Patch('me')
  @ApiOkResponse({ type: UserView })
  async updateMe(@CurrentUser() principal: Principal, @Body() dto: UpdateProfileDto): Promise<UserView> {
    return toUserView(await this.users.updateProfile(principal.id, profileChanges(dto, new Date())));
  }
}
