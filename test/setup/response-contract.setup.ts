/**
 * Wires the response contract into the e2e suites' HTTP clients (supertest and fetch): every response from
 * the hub is checked against the OpenAPI document of the hub that sent it, and the test that received a
 * response breaking the contract fails with the reason. The document is read from the hub itself
 * (`/api/docs-json`), so it is always the one generated from the code under test.
 */
import type { Server } from 'node:http';
import supertest from 'supertest';
import type { Response } from 'supertest';
import { documentKey, recordObservation } from '../utils/contract-observations.js';
import { type ObservedResponse, type OpenApiDocument, ResponseContract } from '../utils/response-contract.js';

const DOCS = /^\/api\/docs(-json|\/|$)/;
const contractsByServer = new WeakMap<Server, Promise<CheckedContract | undefined>>();
const contractsByOrigin = new Map<string, Promise<CheckedContract | undefined>>();
const realFetch = globalThis.fetch;

interface CheckedContract {
  key: string;
  contract: ResponseContract;
}

const load = (document: OpenApiDocument): CheckedContract => ({
  key: documentKey(document),
  contract: new ResponseContract(document),
});

// A hub that is already gone (a test closed it) has no document to offer; its last responses go unchecked.
const documentOfServer = (server: Server): Promise<CheckedContract | undefined> =>
  supertest(server)
    .get('/api/docs-json')
    .then((response: Response) => (response.status === 200 ? load(response.body as OpenApiDocument) : undefined))
    .catch(() => undefined);

const documentOfOrigin = (origin: string): Promise<CheckedContract | undefined> =>
  realFetch(`${origin}/api/docs-json`)
    .then(async (response) => (response.ok ? load((await response.json()) as OpenApiDocument) : undefined))
    .catch(() => undefined);

function contractFor(target: Server | string, url: URL): Promise<CheckedContract | undefined> {
  if (typeof target !== 'string') {
    let contract = contractsByServer.get(target);
    if (!contract) {
      contract = documentOfServer(target);
      contractsByServer.set(target, contract);
    }
    return contract;
  }
  let contract = contractsByOrigin.get(url.origin);
  if (!contract) {
    contract = documentOfOrigin(url.origin);
    contractsByOrigin.set(url.origin, contract);
  }
  return contract;
}

const underApi = (url: URL): boolean => url.pathname.startsWith('/api/') && !DOCS.test(url.pathname);

async function verify(target: Server | string, observed: ObservedResponse): Promise<void> {
  const checked = await contractFor(target, new URL(observed.url));
  if (!checked) {
    return;
  }
  const { operation, problems } = checked.contract.check(observed);
  recordObservation({
    document: checked.key,
    operation: operation ?? `unmatched ${observed.method}`,
    status: observed.status,
  });
  if (problems.length > 0) {
    const where = `${observed.method} ${new URL(observed.url).pathname} → ${observed.status}`;
    throw new Error(
      `Response contract broken by ${where} (${operation ?? 'no operation'}):\n- ${problems.join('\n- ')}`,
    );
  }
}

interface SupertestInternals {
  app: Server | string;
  url: string;
  method: string;
}

type EndCallback = (error: unknown, response: Response) => void;
const originalEnd = supertest.Test.prototype.end as (this: supertest.Test, callback?: EndCallback) => supertest.Test;

supertest.Test.prototype.end = function end(this: supertest.Test & SupertestInternals, callback?: EndCallback) {
  return originalEnd.call(this, (error, response) => {
    const url = new URL(this.url);
    if (!response || !underApi(url)) {
      callback?.(error, response);
      return;
    }
    const observed: ObservedResponse = {
      method: this.method,
      url: this.url,
      status: response.status,
      headers: response.headers,
      text: response.text ?? '',
    };
    verify(this.app, observed).then(
      () => callback?.(error, response),
      (contractError: unknown) => callback?.(contractError, response),
    );
  });
};

globalThis.fetch = async (input: string | URL | Request, init?: RequestInit): Promise<globalThis.Response> => {
  const response = await realFetch(input, init);
  const url = new URL(response.url || (input instanceof Request ? input.url : String(input)));
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (!loopback || !underApi(url)) {
    return response;
  }
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  await verify(url.origin, {
    method,
    url: url.toString(),
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text: await response.clone().text(),
  });
  return response;
};
