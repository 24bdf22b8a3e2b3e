import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, MoreThan, Not, Repository } from 'typeorm';
import { newId } from '@numerai/database';
import { UserEntity } from './user.entity';
import { UserRole } from '@numerai/common';

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  async create(input: { email: string; passwordHash: string; fullName: string; role: UserRole }): Promise<UserEntity> {
    const user = this.users.create({ id: newId(), createdAt: new Date(), ...input });
    await this.users.insert(user);
    return user;
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByEmail(email: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ email });
  }

  findByIds(ids: string[]): Promise<UserEntity[]> {
    return ids.length ? this.users.findBy({ id: In(ids) }) : Promise.resolve([]);
  }

  async update(id: string, changes: Partial<UserEntity>): Promise<void> {
    if (Object.keys(changes).length > 0) await this.users.update({ id }, changes);
  }

  /** Users with a birth date, by id after `afterId` (keyset paging for scheduled sweeps). */
  pageWithBirthDate(afterId: string | undefined, limit: number): Promise<UserEntity[]> {
    return this.users.find({
      where: { birthDate: Not(IsNull()), ...(afterId ? { id: MoreThan(afterId) } : {}) },
      order: { id: 'ASC' },
      take: limit,
    });
  }

  async delete(id: string): Promise<void> {
    await this.users.delete({ id });
  }
}
