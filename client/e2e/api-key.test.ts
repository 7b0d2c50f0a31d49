// The editor against a server that requires an API key: given once in the page address, it is sent with the
// language list request and the run's WebSocket, and survives a reload.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../server/src/create-server.js';
import { collectLeaks } from '../../server/test/helpers.js';
import { launchChromium, setEditorText, startEditorServer, textOf, waitForText } from './harness';

let server: CodeRunnerServer;
let browser: Browser;
let page: Page;
let baseUrl: string;

beforeAll(async () => {
  const started = await startEditorServer({ LANGUAGES: 'python', API_KEYS: 'editor-key' });
  server = started.server;
  baseUrl = started.baseUrl;
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('dialog', (dialog) => void dialog.accept());
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  expect(await collectLeaks()).toEqual([]);
});

describe('the editor on a server with API keys', () => {
  it('runs a program with the key from the page address, also after a reload', async () => {
    const unkeyed = await fetch(`${baseUrl}/api/v1/runtimes`);
    expect(unkeyed.status).toBe(401);
    await page.goto(`${baseUrl}/?api_key=editor-key`);
    await page
      .getByTestId('language-select')
      .locator('option[value="python"]')
      .waitFor({ state: 'attached' });
    await page.reload();
    await page
      .getByTestId('language-select')
      .locator('option[value="python"]')
      .waitFor({ state: 'attached' });
    await setEditorText(page, 'print("keyed run")\n');
    await page.getByTestId('run-button').click();
    await waitForText(page, 'status', 'Finished');
    expect(await textOf(page, 'output')).toContain('keyed run');
  });
});
