import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidEnvironmentError } from './env.schema.js';

const FILE_NAME = 'secret_key';

/**
 * Outside production the hub must start with no configuration at all, so a missing SECRET_KEY is generated
 * once and kept in DATA_DIR (mode 0600); tokens then survive restarts. Production must set it explicitly.
 */
export function loadOrCreateSecretKey(nodeEnv: string, dataDir: string): string {
  if (nodeEnv === 'production') {
    throw new InvalidEnvironmentError(['SECRET_KEY: must be set (at least 32 characters) when NODE_ENV=production']);
  }
  const path = join(dataDir, FILE_NAME);
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= 32) {
      return stored;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw error;
    }
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(48).toString('base64url');
  // 'wx' fails if another instance wrote the file first; then we use theirs.
  try {
    writeFileSync(path, generated, { mode: 0o600, flag: 'wx' });
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return readFileSync(path, 'utf8').trim();
    }
    throw error;
  }
}
