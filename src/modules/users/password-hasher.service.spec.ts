import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { availableParallelism } from 'node:os';
import argon2 from 'argon2';
import { testConfig } from '../../../test/utils/test-config.js';
import { PasswordHasherService } from './password-hasher.service.js';

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(PasswordHasherService.name, () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('runs at most one hash per `parallelism` usable CPUs at a time; the others wait in line', async () => {
    const cores = availableParallelism();
    // With parallelism = cores, one hash may run at a time.
    const hasher = new PasswordHasherService(testConfig({ ARGON2_PARALLELISM: String(Math.min(cores, 16)) }));
    const finish: Array<(ok: boolean) => void> = [];
    const verify = jest
      .spyOn(argon2, 'verify')
      .mockImplementation(() => new Promise<boolean>((resolve) => finish.push(resolve)));
    jest.spyOn(argon2, 'needsRehash').mockReturnValue(false);

    const checks = [hasher.verify('hash-1', 'a'), hasher.verify('hash-2', 'b'), hasher.verifyNobody('c')];
    await flush();
    expect(verify).toHaveBeenCalledTimes(1);

    finish[0](true);
    await flush();
    expect(verify).toHaveBeenCalledTimes(2);
    finish[1](false);
    await flush();
    finish[2](false);
    expect((await Promise.all(checks)).map((check) => check.ok)).toEqual([true, false, false]);
  });
});
