// The editor against a server that requires an API key. The key is asked for in a prompt when the server answers
// 401 (or taken from a teacher's `?api_key=` link, which the editor removes from the address at once); REST calls
// carry it in the X-API-Key header; a run's WebSocket is admitted by a single-use ticket. No URL the page asks
// for (requests, WebSockets, Referer headers) ever holds the key.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../server/src/create-server.js';
import { collectLeaks } from '../../server/test/helpers.js';
import { launchChromium, screenshot, setEditorText, startEditorServer, textOf, waitForText } from './harness';

const KEY = 'editor-key-5b1c';
const WRONG = 'wrong-key-9e0d';

let server: CodeRunnerServer;
let browser: Browser;
let baseUrl: string;

/** Everything a page asks for: request URLs with their Referer and X-API-Key headers, and WebSocket URLs. */
interface Traffic {
  requests: { url: string; referer: string; apiKey: string | undefined }[];
  sockets: string[];
}

async function openPage(): Promise<{ context: BrowserContext; page: Page; traffic: Traffic }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const traffic: Traffic = { requests: [], sockets: [] };
  page.on('request', (request) => {
    const headers = request.headers();
    traffic.requests.push({
      url: request.url(),
      referer: headers.referer ?? '',
      apiKey: headers['x-api-key'],
    });
  });
  page.on('websocket', (socket) => void traffic.sockets.push(socket.url()));
  page.on('dialog', (dialog) => void dialog.accept());
  return { context, page, traffic };
}

const languagesLoaded = (page: Page) =>
  page.getByTestId('language-select').locator('option[value="python"]').waitFor({ state: 'attached' });

async function runHello(page: Page, text: string): Promise<void> {
  await setEditorText(page, `print("${text}")\n`);
  await page.getByTestId('run-button').click();
  await waitForText(page, 'status', 'Finished');
  expect(await textOf(page, 'output')).toContain(text);
}

beforeAll(async () => {
  const started = await startEditorServer({ LANGUAGES: 'python', API_KEYS: `${KEY},another-key` });
  server = started.server;
  baseUrl = started.baseUrl;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  expect(await collectLeaks()).toEqual([]);
});

describe('the editor on a server with API keys', () => {
  it('asks for the key, runs over a ticketed WebSocket, and never puts the key in a URL', async () => {
    expect((await fetch(`${baseUrl}/api/v1/runtimes`)).status).toBe(401);
    const { context, page, traffic } = await openPage();
    await page.goto(baseUrl);
    const prompt = page.getByRole('dialog', { name: 'API key needed' });
    await prompt.waitFor({ timeout: 15000 });
    await screenshot(page, 'api-key-prompt');

    // A key the server refuses: the prompt stays, says so, and the key is not kept.
    await page.getByLabel('API key', { exact: true }).fill(WRONG);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByText('The server did not accept that key').waitFor({ timeout: 10000 });

    await page.getByLabel('API key', { exact: true }).fill(KEY);
    await page.getByLabel('Remember on this device').check();
    await page.getByRole('button', { name: 'Use key' }).click();
    await prompt.waitFor({ state: 'hidden', timeout: 10000 });
    await languagesLoaded(page);
    await runHello(page, 'ticketed run');

    expect(traffic.sockets).toHaveLength(1);
    expect(traffic.sockets[0]).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/runs\/ws\?ticket=[^&]+$/);
    const ticketRequests = traffic.requests.filter((r) => r.url.endsWith('/api/v1/ws-tickets'));
    expect(ticketRequests.map((r) => r.apiKey)).toEqual([KEY]);
    expect(traffic.requests.filter((r) => r.url.endsWith('/api/v1/runtimes')).map((r) => r.apiKey)).toEqual([
      undefined,
      WRONG,
      KEY,
    ]);
    const everyUrl = [...traffic.requests.flatMap((r) => [r.url, r.referer]), ...traffic.sockets];
    for (const key of [KEY, WRONG]) expect(everyUrl.filter((u) => u.includes(key))).toEqual([]);

    // "Remember on this device": localStorage, not the tab's storage; "Forget API key" drops it everywhere.
    const stored = () =>
      page.evaluate(() => [
        localStorage.getItem('coderunner.apiKey'),
        sessionStorage.getItem('coderunner.apiKey'),
      ]);
    expect(await stored()).toEqual([KEY, null]);
    await page.getByTestId('forget-key').click();
    expect(await stored()).toEqual([null, null]);
    await page.reload();
    await prompt.waitFor({ timeout: 15000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await waitForText(page, 'language-select-error', 'this server needs an API key');
    await context.close();
  });

  it('takes ?api_key= from the address, removes it from the address bar at once, and runs with it', async () => {
    const { context, page, traffic } = await openPage();
    await page.goto(`${baseUrl}/?api_key=${KEY}#top`);
    await languagesLoaded(page);
    expect(page.url()).toBe(`${baseUrl}/#top`);
    expect(await page.evaluate(() => window.location.href)).not.toContain(KEY);
    expect(await page.getByRole('dialog').count()).toBe(0);
    await runHello(page, 'linked run');

    // Only the page's own address had the key; nothing the page asked for afterwards, Referer headers included.
    const [navigation, ...rest] = traffic.requests;
    expect(navigation?.url).toContain(`api_key=${KEY}`);
    const later = [...rest.flatMap((r) => [r.url, r.referer]), ...traffic.sockets];
    expect(later.filter((u) => u.includes(KEY))).toEqual([]);
    expect(traffic.sockets).toHaveLength(1);
    expect(traffic.sockets[0]).toMatch(/\/api\/v1\/runs\/ws\?ticket=/);

    // Kept for the tab: a reload needs no prompt and no key in the address.
    await page.reload();
    await languagesLoaded(page);
    expect(page.url()).not.toContain(KEY);
    await runHello(page, 'after reload');
    await context.close();
  });
});
