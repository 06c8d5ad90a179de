import { describe, expect, it } from '@jest/globals';
import { PROBE_SLOW_MS, ProbeModule } from '../utils/probe.module.js';
import { startTestApp } from '../utils/test-app.js';

describe('Graceful shutdown (SPEC section 10)', () => {
  it('finishes a request in flight, then stops taking new connections', async () => {
    const hub = await startTestApp({ imports: [ProbeModule] });
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    const base = await hub.app.getUrl();

    const inFlight = fetch(`${base}/api/probe/slow`);
    await new Promise((resolve) => setTimeout(resolve, PROBE_SLOW_MS / 5)); // the request has arrived
    const closing = hub.close(); // what SIGTERM triggers through enableShutdownHooks

    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'success', data: { finished: true } });
    await closing;
    await expect(fetch(`${base}/api/health`)).rejects.toThrow();
  });
});
