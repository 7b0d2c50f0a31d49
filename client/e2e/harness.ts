// Shared by the e2e tests: a real server (real Docker, warm pools) serving the built client, headless Debian
// Chromium driven by playwright-core, and small page helpers. Every wait is bounded by a timeout.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { CodeRunnerServer } from '../../server/src/create-server.js';
import { startTestServer } from '../../server/test/helpers.js';

export const CLIENT_DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/e2e/', import.meta.url));

/** Starts the server on 127.0.0.1 (random port) with python and c, one warm container each. */
export async function startEditorServer(
  env: Record<string, string> = {},
): Promise<{ server: CodeRunnerServer; baseUrl: string }> {
  const server = await startTestServer({
    LANGUAGES: 'python,c',
    POOL_SIZE: '1',
    POOL_IDLE_SIZE: '1',
    SERVE_CLIENT: 'true',
    CLIENT_DIR: CLIENT_DIST,
    ...env,
  });
  const baseUrl = await server.app.listen({ port: 0, host: '127.0.0.1' });
  return { server, baseUrl };
}

/** Debian's Chromium, headless, with everything that would call home switched off. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}

/** Saves a screenshot as test-artifacts/e2e/<name>.png (the whole page with fullPage, else the viewport). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
}

/** Replaces the text of the file shown in the editor, as if pasted. */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.locator('.cm-content').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
  await page.waitForFunction(
    (expected) => document.querySelector('.cm-content')?.textContent === expected.replace(/\n/g, ''),
    text,
    { timeout: 5000 },
  );
}

/** Waits until the element with this test id contains the text. */
export async function waitForText(
  page: Page,
  testId: string,
  text: string,
  timeoutMs = 15000,
): Promise<void> {
  await page.waitForFunction(
    ([id, wanted]) => document.querySelector(`[data-testid="${id}"]`)?.textContent?.includes(wanted) ?? false,
    [testId, text] as const,
    { timeout: timeoutMs },
  );
}

/** The text of the element with this test id. */
export async function textOf(page: Page, testId: string): Promise<string> {
  return (await page.getByTestId(testId).textContent()) ?? '';
}

/** Replaces the project with the language's starter (the page accepts confirm dialogs). */
export async function resetProject(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Reset' }).click();
}

/** Creates a file or folder through the file tree's name field. */
export async function createInTree(page: Page, kind: 'file' | 'folder', name: string): Promise<void> {
  await page.getByTestId(kind === 'file' ? 'new-file' : 'new-folder').click();
  await page.locator('#name-prompt-input').fill(name);
  await page.locator('#name-prompt-input').press('Enter');
  await page.locator('#name-prompt-input').waitFor({ state: 'detached', timeout: 5000 });
}

/** Clicks Run and resolves with the ms until stdout text is in the console, and until the next frame after it. */
export async function timeFirstOutput(page: Page): Promise<{ dom: number; frame: number }> {
  // Run from tsx (npm run bench), the function below comes with esbuild's keepNames helper calls; the page has
  // no such helper, so it gets a stand-in first (a string, which no transform touches).
  await page.evaluate('globalThis.__name ??= (fn) => fn');
  return page.evaluate(
    () =>
      new Promise<{ dom: number; frame: number }>((resolve, reject) => {
        const output = document.querySelector('[data-testid="output"]');
        const button = document.querySelector<HTMLButtonElement>('[data-testid="run-button"]');
        if (!output || !button) return reject(new Error('the page has no output or run button'));
        const hasOutput = () => (output.querySelector('[data-stream="stdout"]')?.textContent ?? '') !== '';
        let cleared = false;
        let started = 0;
        const observer = new MutationObserver(() => {
          if (!cleared) cleared = !hasOutput(); // the previous run's output goes first
          if (!cleared || !hasOutput()) return;
          const dom = performance.now() - started;
          observer.disconnect();
          clearTimeout(timer);
          requestAnimationFrame(() => resolve({ dom, frame: performance.now() - started }));
        });
        const timer = setTimeout(() => {
          observer.disconnect();
          reject(new Error('no output within 10 s'));
        }, 10_000);
        observer.observe(output, { childList: true, subtree: true, characterData: true });
        started = performance.now();
        button.click();
      }),
  );
}
