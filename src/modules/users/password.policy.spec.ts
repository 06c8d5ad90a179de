import { describe, expect, it } from '@jest/globals';
import { loadAppConfig } from '../../config/app-config.js';
import { validateEnv } from '../../config/env.schema.js';
import { PasswordPolicy } from './password.policy.js';

const policy = (minLength = '12') =>
  new PasswordPolicy(
    loadAppConfig(validateEnv({ NODE_ENV: 'test', SECRET_KEY: 's'.repeat(40), AUTH_PASSWORD_MIN_LENGTH: minLength })),
  );

describe(PasswordPolicy.name, () => {
  it('accepts a password with every class and enough length', () => {
    expect(policy().problems('password', 'Correct-Horse-42')).toEqual([]);
  });

  it.each([
    ['Short-1a', 'at least 12 characters'],
    ['correct-horse-42', 'upper-case'],
    ['CORRECT-HORSE-42', 'lower-case'],
    ['Correct-Horse-xx', 'digit'],
    ['CorrectHorse4242', 'special'],
    [`Aa1!${'x'.repeat(130)}`, 'at most 128'],
  ])('rejects %s (%s)', (password, expected) => {
    const problems = policy().problems('newPassword', password);
    expect(problems).toHaveLength(1);
    expect(problems[0].field).toBe('newPassword');
    expect(problems[0].message).toContain(expected);
  });

  it('honours AUTH_PASSWORD_MIN_LENGTH', () => {
    expect(policy('16').problems('password', 'Correct-Horse-42')).toEqual([]);
    expect(policy('17').problems('password', 'Correct-Horse-42')[0].message).toContain('at least 17');
  });

  it('counts non-ASCII letters and symbols', () => {
    expect(policy().problems('password', 'Ümlaut-Straße-9')).toEqual([]);
  });
});
