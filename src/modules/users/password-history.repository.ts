import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PasswordHistoryEntity } from './password-history.entity.js';

@Injectable()
export class PasswordHistoryRepository {
  constructor(
    @InjectRepository(PasswordHistoryEntity) private readonly repository: Repository<PasswordHistoryEntity>,
  ) {}

  async recentHashes(userId: string, limit: number): Promise<string[]> {
    if (limit <= 0) {
      return [];
    }
    const rows = await this.repository.find({
      where: { userId },
      order: { createdAt: 'DESC' },
      take: limit,
      select: { passwordHash: true },
    });
    return rows.map((row) => row.passwordHash);
  }

  /** Remembers a replaced hash and forgets all but the newest `keep`. */
  async push(userId: string, passwordHash: string, keep: number): Promise<void> {
    await this.repository.insert({ userId, passwordHash });
    await this.repository.query(
      `DELETE FROM password_history WHERE user_id = $1 AND id NOT IN (
         SELECT id FROM password_history WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2)`,
      [userId, keep],
    );
  }
}
