import { Injectable } from '@nestjs/common';
import type { FieldProblem } from '../../common/errors/domain-errors.js';
import { AppConfig } from '../../config/app-config.js';

export const MAX_PASSWORD_LENGTH = 128;

/** SPEC section 3: 12–128 characters (minimum configurable) with upper, lower, digit and special character. */
@Injectable()
export class PasswordPolicy {
  private readonly minLength: number;

  constructor(config: AppConfig) {
    this.minLength = config.auth.password.minLength;
  }

  get description(): string {
    return `${this.minLength}–${MAX_PASSWORD_LENGTH} characters with an upper-case letter, a lower-case letter, a digit and a special character`;
  }

  problems(field: string, password: string): FieldProblem[] {
    const rules: Array<[boolean, string]> = [
      [password.length >= this.minLength, `must be at least ${this.minLength} characters long`],
      [password.length <= MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters long`],
      [/\p{Lu}/u.test(password), 'must contain an upper-case letter'],
      [/\p{Ll}/u.test(password), 'must contain a lower-case letter'],
      [/\p{Nd}/u.test(password), 'must contain a digit'],
      [/[^\p{L}\p{Nd}]/u.test(password), 'must contain a special character'],
    ];
    return rules.filter(([passes]) => !passes).map(([, message]) => ({ field, message: `${field} ${message}` }));
  }
}
