import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidEnvironmentError } from './env.schema.js';

const FILE_NAME = 'secret_key';
const MIN_LENGTH = 32;

function readStored(path: string): string | undefined {
  try {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length < MIN_LENGTH) {
      // Never sign with a short key, and never silently replace a key that tokens may have been signed with.
      throw new InvalidEnvironmentError([
        `SECRET_KEY: ${path} holds fewer than ${MIN_LENGTH} characters; fix or delete it`,
      ]);
    }
    return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

/**
 * Outside production the hub must start with no configuration at all, so a missing SECRET_KEY is generated
 * once and kept in DATA_DIR (mode 0600); tokens then survive restarts. Production must set it explicitly.
 */
export function loadOrCreateSecretKey(nodeEnv: string, dataDir: string): string {
  if (nodeEnv === 'production') {
    throw new InvalidEnvironmentError(['SECRET_KEY: must be set (at least 32 characters) when NODE_ENV=production']);
  }
  const path = join(dataDir, FILE_NAME);
  const stored = readStored(path);
  if (stored) {
    return stored;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const generated = randomBytes(48).toString('base64url');
  // Written completely under a private name, then linked into place: the link fails if another instance
  // won the race, and nobody ever reads a half-written key.
  const staging = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(staging, generated, { mode: 0o600 });
  try {
    linkSync(staging, path);
    return generated;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return readStored(path) as string;
    }
    throw error;
  } finally {
    rmSync(staging, { force: true });
  }
}
