// @ts-check
// jest globalTeardown of the e2e project. Plain JavaScript: jest loads global hooks outside its module system.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** @typedef {{document: string, operation: string, status: number}} Observation */
/** @typedef {{paths: Record<string, Record<string, {responses: Record<string, unknown>}>>}} OpenApiDocument */

/** @type {(text: string) => unknown} */
const parse = (text) => JSON.parse(text);

/**
 * The walk over the OpenAPI documents of the hubs the suites talked to, with every status the shared test
 * clients observed (test/setup/response-contract.setup.ts): an observed status an operation does not
 * document fails the run.
 */
export default function walkObservations() {
  const folder = process.env.ANANTA_CONTRACT_DIR;
  if (!folder) {
    return;
  }
  const files = readdirSync(folder);
  const observations = files
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(folder, name), 'utf8').split('\n'))
    .filter((line) => line.length > 0)
    .map((line) => /** @type {Observation} */ (parse(line)));
  const undocumented = [];
  for (const key of new Set(observations.map((observation) => observation.document))) {
    const document = /** @type {OpenApiDocument} */ (parse(readFileSync(join(folder, `document-${key}.json`), 'utf8')));
    let operations = 0;
    let exercised = 0;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of METHODS.filter((name) => item[name])) {
        const operation = `${method.toUpperCase()} ${path}`;
        const statuses = new Set(
          observations.filter((o) => o.document === key && o.operation === operation).map((o) => o.status),
        );
        operations += 1;
        exercised += statuses.size > 0 ? 1 : 0;
        for (const status of statuses) {
          if (!(String(status) in item[method].responses)) {
            undocumented.push(`${operation} answered ${status}, which it does not document`);
          }
        }
      }
    }
    process.stdout.write(`Response contract (document ${key}): ${exercised} of ${operations} operations exercised\n`);
  }
  rmSync(folder, { recursive: true, force: true });
  if (undocumented.length > 0) {
    throw new Error(`Responses not in the OpenAPI document:\n- ${undocumented.join('\n- ')}`);
  }
}
