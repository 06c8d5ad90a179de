import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../utils/test-app.js';
import { TEST_ADMIN_PASSWORD } from '../utils/test-config.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// No background traffic: the machines here have no network beyond the package registries.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Expands an operation, presses "Try it out" and "Execute", and returns the live response's status and body. */
async function execute(page: Page, operationId: string, body?: string): Promise<{ status: string; text: string }> {
  const operation = page.locator(`#operations-${operationId}`);
  await operation.locator('.opblock-summary').click();
  await operation.getByRole('button', { name: 'Try it out' }).click();
  if (body !== undefined) {
    await operation.locator('textarea.body-param__text').fill(body);
  }
  await operation.getByRole('button', { name: 'Execute' }).click();
  const response = operation.locator('.live-responses-table tbody .response');
  await response.waitFor();
  return {
    status: (await response.locator('.response-col_status').innerText()).trim(),
    text: await response.locator('.microlight').first().innerText(),
  };
}

describe('Swagger UI in a real browser', () => {
  let hub: TestApp;
  let browser: Browser;
  let base: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    hub = await startTestApp();
    await hub.app.listen({ port: 0, host: '127.0.0.1' });
    base = await hub.app.getUrl();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('logs in, authorizes with the access token and calls GET /api/profile', async () => {
    const page = await browser.newPage();
    page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
    page.on('pageerror', (error) => consoleErrors.push(String(error)));
    await page.goto(`${base}/api/docs`);
    await page.locator('.swagger-ui .opblock').first().waitFor({ timeout: 20_000 });

    const login = await execute(
      page,
      'Auth-AuthController_login',
      JSON.stringify({ username: 'admin', password: TEST_ADMIN_PASSWORD }),
    );
    expect(login.status).toBe('200');
    const { accessToken } = (JSON.parse(login.text) as { data: { accessToken: string } }).data;

    await page.locator('.auth-wrapper .authorize').click();
    const dialog = page.locator('.dialog-ux');
    await dialog.locator('input[type=text]').first().fill(accessToken);
    await dialog.locator('button.authorize').first().click();
    await dialog.locator('button.btn-done').first().click();

    const profile = await execute(page, 'Profile-ProfileController_get');
    expect(profile.status).toBe('200');
    expect(JSON.parse(profile.text)).toMatchObject({ status: 'success', data: { username: 'admin', role: 'admin' } });
    // Nothing was blocked by the Content-Security-Policy or failed to load.
    expect(consoleErrors).toEqual([]);
  });
});
