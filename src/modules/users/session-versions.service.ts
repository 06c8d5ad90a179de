import { Injectable } from '@nestjs/common';
import { UsersRepository } from './users.repository.js';

/** How long another instance may take to notice a revocation; SPEC allows at most 5 s. */
export const SESSION_CACHE_TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  tokenVersion: number;
  active: boolean;
  expiresAt: number;
}

/**
 * Whether a user's access token is still good: the user exists, is not disabled, and the token carries the
 * current token version. One primary-key read per user every 2 s at most; the instance that makes a change
 * forgets its cached entry at once, other instances within the TTL.
 */
@Injectable()
export class SessionVersionsService {
  private readonly cache = new Map<string, Entry>();

  constructor(private readonly users: UsersRepository) {}

  async isCurrent(userId: string, tokenVersion: number): Promise<boolean> {
    const now = Date.now();
    let entry = this.cache.get(userId);
    if (!entry || entry.expiresAt <= now) {
      const state = await this.users.sessionState(userId);
      entry = {
        tokenVersion: state?.tokenVersion ?? -1,
        active: state !== null && !state.disabled,
        expiresAt: now + SESSION_CACHE_TTL_MS,
      };
      if (this.cache.size >= MAX_ENTRIES) {
        this.cache.clear();
      }
      this.cache.set(userId, entry);
    }
    return entry.active && entry.tokenVersion === tokenVersion;
  }

  forget(userId: string): void {
    this.cache.delete(userId);
  }
}
