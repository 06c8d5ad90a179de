import { Injectable, type OnModuleInit } from '@nestjs/common';
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import pLimit, { type LimitFunction } from 'p-limit';
import { AppConfig } from '../../config/app-config.js';

export interface PasswordCheck {
  ok: boolean;
  /** The hash was made with other parameters than the configured ones: store a fresh one. */
  needsRehash: boolean;
}

/**
 * argon2id with the configured cost (OWASP defaults m=19456 KiB, t=2, p=1). At most one hash per CPU the
 * process may use (per `parallelism` CPUs) runs at a time: more would not finish sooner, each being
 * CPU-bound, but each would hold its `memoryCost`, and their threads would take the core from the event
 * loop, which then answers every other request late. The rest wait in line.
 */
@Injectable()
export class PasswordHasherService implements OnModuleInit {
  private readonly options: { type: typeof argon2.argon2id; memoryCost: number; timeCost: number; parallelism: number };
  private readonly inLine: LimitFunction;
  private dummyHash = '';

  constructor(config: AppConfig) {
    this.options = { type: argon2.argon2id, ...config.auth.argon2 };
    // Each hash keeps `parallelism` threads busy.
    this.inLine = pLimit(Math.max(1, Math.floor(availableParallelism() / this.options.parallelism)));
  }

  // A hash with the current parameters, so an unknown username costs exactly one verification too.
  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash('not-a-password: unknown users are checked against this');
  }

  hash(password: string): Promise<string> {
    return this.inLine(() => argon2.hash(password, this.options));
  }

  async verify(hash: string, password: string): Promise<PasswordCheck> {
    let ok: boolean;
    try {
      ok = await this.inLine(() => argon2.verify(hash, password));
    } catch {
      ok = false; // an unreadable stored hash never authenticates
    }
    return { ok, needsRehash: ok && argon2.needsRehash(hash, this.options) };
  }

  /** Spends the time of one verification and always fails: for usernames that do not exist. */
  async verifyNobody(password: string): Promise<PasswordCheck> {
    await this.inLine(() => argon2.verify(this.dummyHash, password));
    return { ok: false, needsRehash: false };
  }
}
