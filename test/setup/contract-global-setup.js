// @ts-check
// jest globalSetup of the e2e project. Plain JavaScript: jest loads global hooks outside its module system.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder per run where the shared test clients note every response's operation and status. */
export default function createObservationsFolder() {
  process.env.ANANTA_CONTRACT_DIR = mkdtempSync(join(tmpdir(), 'ananta-contract-'));
}
