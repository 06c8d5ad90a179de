import type { PlanLine } from './wrk.js';

/** One request of a plan, sent once from this process: its status and body. */
export async function sendOnce(base: string, line: PlanLine): Promise<{ status: number; text: string }> {
  const response = await fetch(`${base}${line.path}`, {
    method: line.method,
    headers: {
      ...(line.authorization ? { authorization: line.authorization } : {}),
      ...(line.body ? { 'content-type': 'application/json' } : {}),
    },
    body: line.body,
  });
  return { status: response.status, text: await response.text() };
}
