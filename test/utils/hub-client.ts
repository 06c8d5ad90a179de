import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { TEST_AGENT_TOKEN } from './test-config.js';
import type { Headers } from './tokens.js';

/** What a hub process answered. `body` is the parsed JSON (undefined for an empty body). */
export interface HubAnswer<T = unknown> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

export interface HubRequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Headers;
  body?: unknown;
  /** The client address, 127.0.0.N: how several clients look distinct to a hub without TRUST_PROXY. */
  localAddress?: string;
  timeoutMs?: number;
}

/**
 * One JSON request to a hub process over node:http (fetch cannot choose the client address). Rejects when
 * no answer came: the connection was refused or reset, or the answer took longer than `timeoutMs`.
 */
export function hubRequest<T = unknown>(
  base: string,
  path: string,
  { method = 'GET', headers = {}, body, localAddress, timeoutMs = 15_000 }: HubRequestOptions = {},
): Promise<HubAnswer<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(new URL(path, base), {
      method,
      localAddress,
      timeout: timeoutMs,
      headers: {
        ...headers,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    outgoing.on('error', reject);
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: (text === '' ? undefined : JSON.parse(text)) as T,
          });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    outgoing.end(payload);
  });
}

/** `data` of a success envelope; throws with the whole answer when the status is not the expected one. */
export function dataOfAnswer<T>(answer: HubAnswer, expected = 200): T {
  if (answer.status !== expected) {
    throw new Error(`expected ${expected}, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return (answer.body as { data: T }).data;
}

/** `data.code` of an error envelope (undefined for anything else). */
export const answerCode = (answer: HubAnswer): string | undefined =>
  (answer.body as { data?: { code?: string } } | undefined)?.data?.code;

/** A registered agent of a hub process: its id and the bearer header of its key. */
export interface HubAgent {
  id: string;
  headers: Record<string, string>;
}

/**
 * Registers an agent with a hub process as the hub token holder would; each from its own client address
 * (`127.0.N.M`), since registration is rate-limited per address.
 */
export async function registerHubAgent(base: string, label: string, localAddress: string): Promise<HubAgent> {
  const name = `${label}-${randomBytes(4).toString('hex')}`;
  const answer = await hubRequest(base, '/api/agents/register', {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_AGENT_TOKEN}` },
    body: { name, url: `http://${name}.agents.test:5001` },
    localAddress,
  });
  const registration = dataOfAnswer<{ agent: { id: string }; agentKey: string }>(answer);
  return { id: registration.agent.id, headers: { authorization: `Bearer ${registration.agentKey}` } };
}
