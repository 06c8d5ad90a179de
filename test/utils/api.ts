import type { Server } from 'node:http';
import request from 'supertest';
import type { Response, Test } from 'supertest';
import { errorBody, successBody } from './envelope.js';
import type { AuditEntry, Page } from './payloads.js';
import { bearer, type Headers } from './tokens.js';

export type Method = 'get' | 'post' | 'patch' | 'delete';

/** One HTTP call against the hub with the given credential headers (and a JSON body when given). */
export function call(server: Server, method: Method, path: string, headers: Headers, body?: object): Test {
  const test = request(server)[method](path).set(headers);
  return body === undefined ? test : test.send(body);
}

/** `data` of a success envelope. */
export const dataOf = <T>(response: Response): T => successBody<T>(response).data;

/** `data.code` of an error envelope. */
export const codeOf = (response: Response): string => errorBody(response).data.code;

/** Status and error code of a refused request, for one readable comparison. */
export const refusal = (response: Response): { status: number; code: string | undefined } => ({
  status: response.status,
  code: (response.body as { data?: { code?: string } } | undefined)?.data?.code,
});

/** Status and body of an answer: asserting on it fails with the whole answer in the diff. */
export function answer(response: Response): { status: number; body: unknown } {
  return { status: response.status, body: response.body as unknown };
}

/** The `field`s of the `details` list of a 400 envelope (none when the answer has no such list). */
export const fieldsOf = (response: Response): string[] =>
  (errorBody(response).data?.details ?? []).map((problem) => problem.field);

/** `data.details` of an error envelope when it is an object (409 "in use", 409 dependencies_incomplete). */
export const objectDetailsOf = <T>(response: Response): T => (response.body as { data: { details: T } }).data.details;

export const sorted = (values: readonly string[]): string[] => [...values].sort();

/** Every audit entry, newest first, read page by page through the API with an admin credential. */
export async function allAuditEntries(server: Server, adminToken: string, query = ''): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for (let offset = 0; ; offset += 500) {
    const response = await request(server)
      .get(`/api/audit-logs?limit=500&offset=${offset}${query ? `&${query}` : ''}`)
      .set(bearer(adminToken))
      .expect(200);
    const page = successBody<Page<AuditEntry>>(response).data;
    entries.push(...page.items);
    if (page.items.length === 0 || entries.length >= page.total) {
      return entries;
    }
  }
}
