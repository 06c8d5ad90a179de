import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { UserEntity } from './user.entity.js';

export type UserInsert = Pick<UserEntity, 'username' | 'passwordHash' | 'role'>;

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(UserEntity) private readonly repository: Repository<UserEntity>) {}

  getById(id: string): Promise<UserEntity | null> {
    return this.repository.findOneBy({ id });
  }

  /** Usernames are unique case-insensitively; the lookup uses the `lower(username)` index. */
  getByUsername(username: string): Promise<UserEntity | null> {
    return this.repository
      .createQueryBuilder('user')
      .where('lower(user.username) = lower(:username)', { username })
      .getOne();
  }

  create(values: UserInsert): Promise<UserEntity> {
    return this.repository.save(this.repository.create(values));
  }
}
