import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenApiDocument } from './response-contract.js';

/**
 * Where this e2e run collects what the test clients observed: made by the run's globalSetup, walked and
 * removed by its globalTeardown (test/setup/contract-global-*.js). Unset when a suite runs outside jest's
 * e2e project; nothing is collected then.
 */
const CONTRACT_DIR = process.env.ANANTA_CONTRACT_DIR;

/** One response as the contract saw it: which document, which operation, which status. */
export interface Observation {
  document: string;
  operation: string;
  status: number;
}

/** A short key for a document, which is also kept beside the observations for the end-of-run walk. */
export function documentKey(document: OpenApiDocument): string {
  const key = createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 16);
  const file = CONTRACT_DIR && join(CONTRACT_DIR, `document-${key}.json`);
  if (file && !existsSync(file)) {
    writeFileSync(file, JSON.stringify(document));
  }
  return key;
}

export function recordObservation(observation: Observation): void {
  if (CONTRACT_DIR) {
    appendFileSync(join(CONTRACT_DIR, `${process.pid}.jsonl`), `${JSON.stringify(observation)}\n`);
  }
}
