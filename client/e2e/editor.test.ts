// The editor end to end: the built client in headless Chromium against a real server on real Docker.
// The tests share one page and run in order, like a student's session.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../server/src/create-server.js';
import { collectLeaks } from '../../server/test/helpers.js';
import {
  ARTIFACTS,
  createInTree,
  launchChromium,
  resetProject,
  screenshot,
  setEditorText,
  startEditorServer,
  textOf,
  waitForText,
} from './harness';

let server: CodeRunnerServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const started = await startEditorServer();
  server = started.server;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(started.baseUrl);
  await page.getByTestId('language-select').locator('option[value="python"]').waitFor({ state: 'attached' });
});

afterAll(async () => {
  await browser?.close();
  await server?.app.close();
  expect(await collectLeaks()).toEqual([]);
});

describe('the web editor', () => {
  it('starts with the Python starter and answers a name typed into the running program', async () => {
    expect(await page.getByTestId('language-select').inputValue()).toBe('python');
    await waitForText(page, 'file-tree', 'main.py');
    await page.getByTestId('run-button').click();
    await waitForText(page, 'output', 'What is your name? ');
    await page.getByTestId('stdin-input').fill('Ada');
    await page.getByTestId('stdin-input').press('Enter');
    await waitForText(page, 'status', 'Finished');
    expect(await textOf(page, 'output')).toContain('Hello, Ada!');
    expect(await textOf(page, 'status')).toMatch(/exit 0.*wall \d+ ms.*CPU \d+ ms.*memory [\d.]+ [KM]B/);
    await screenshot(page, '01-interactive');
  });

  it('sends typed lines and then end-of-input with Ctrl+D to a program that reads to the end', async () => {
    await setEditorText(
      page,
      'import sys\n\nlines = sys.stdin.read().splitlines()\nprint(f"{len(lines)} lines, last: {lines[-1]}")\n',
    );
    await page.getByTestId('run-button').click();
    const input = page.getByTestId('stdin-input');
    await page.waitForFunction(
      () => !document.querySelector<HTMLInputElement>('[data-testid="stdin-input"]')?.disabled,
      null,
      {
        timeout: 10000,
      },
    );
    await input.fill('first');
    await input.press('Enter');
    await input.fill('second');
    await input.press('Control+D');
    await waitForText(page, 'status', 'Finished');
    const output = await textOf(page, 'output');
    expect(output).toContain('2 lines, last: second');
    expect(output).toContain('[end of input]');
  });

  it('builds a two-file project with a folder and runs the entry, which imports the other file', async () => {
    await createInTree(page, 'folder', 'lib');
    await createInTree(page, 'file', 'greet.py'); // created inside the selected folder
    await waitForText(page, 'file-tree', 'greet.py');
    await setEditorText(page, 'def greet(name):\n    return f"Hello from lib, {name}!"\n');
    await page.getByTestId('file-tree').locator('[data-path="main.py"]').click();
    await setEditorText(page, 'from lib.greet import greet\n\nprint(greet("world"))\n');
    await page.keyboard.press('Control+Enter');
    await waitForText(page, 'status', 'Finished');
    expect(await textOf(page, 'output')).toContain('Hello from lib, world!');
    await screenshot(page, '02-two-files');
  });

  it('downloads the project as a zip and opens it again after a reset', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10000 }),
      page.getByRole('button', { name: 'Download zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('coderunner-python.zip');
    const zip = `${ARTIFACTS}project.zip`;
    await download.saveAs(zip);
    await resetProject(page);
    await page
      .getByTestId('file-tree')
      .locator('[data-path="lib"]')
      .waitFor({ state: 'detached', timeout: 5000 });
    await page.getByTestId('upload-zip').setInputFiles(zip);
    await waitForText(page, 'file-tree', 'greet.py');
    expect(await page.locator('.cm-content').textContent()).toContain('from lib.greet import greet');
  });

  it('stops an endless loop with the Stop button', async () => {
    await page.getByLabel('Time limit (s)').fill('20');
    await setEditorText(page, 'print("spinning", flush=True)\nwhile True:\n    pass\n');
    await page.getByTestId('run-button').click();
    await waitForText(page, 'output', 'spinning');
    await page.getByTestId('stop-button').click();
    await waitForText(page, 'status', 'Stopped', 5000);
    expect(await textOf(page, 'status')).toContain('signal SIGKILL');
    await screenshot(page, '03-stopped');
  });

  it('ends an endless loop at the time limit set in the UI', async () => {
    await page.getByLabel('Time limit (s)').fill('1');
    await page.getByTestId('run-button').click();
    await waitForText(page, 'status', 'Time limit exceeded');
    expect(await textOf(page, 'output')).toContain('spinning');
    await screenshot(page, '04-timeout');
    await page.getByLabel('Time limit (s)').fill('5');
  });

  it('shows a C compile error apart from the program output', async () => {
    await page.getByTestId('language-select').selectOption('c');
    await waitForText(page, 'file-tree', 'main.c');
    await setEditorText(page, 'int main(void) {\n    return x;\n}\n');
    await page.getByTestId('run-button').click();
    await waitForText(page, 'status', 'Compile error', 30000);
    const compiler = page.getByRole('region', { name: 'Compiler output' });
    expect(await compiler.textContent()).toMatch(/.x. undeclared/);
    await screenshot(page, '05-compile-error');
  });

  it('keeps every project, and the language shown, across a reload', async () => {
    await page.reload();
    await page.getByTestId('language-select').locator('option[value="c"]').waitFor({ state: 'attached' });
    expect(await page.getByTestId('language-select').inputValue()).toBe('c');
    await waitForText(page, 'file-tree', 'main.c');
    expect(await page.locator('.cm-content').textContent()).toContain('return x;');
    await page.getByTestId('language-select').selectOption('python');
    await waitForText(page, 'file-tree', 'greet.py');
    expect(await page.locator('.cm-content').textContent()).toContain('while True:');
  });

  it('fits a 1024 px laptop and a 700 px window, and tells stderr apart in the dark theme', async () => {
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.setViewportSize({ width: 1024, height: 700 });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, '06-laptop-1024');
    await page.setViewportSize({ width: 700, height: 900 });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await screenshot(page, '07-narrow-700', true);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole('button', { name: 'Dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await setEditorText(
      page,
      'import sys\n\nprint("to stdout")\nprint("to stderr", file=sys.stderr)\nsys.exit(3)\n',
    );
    await page.getByTestId('run-button').click();
    await waitForText(page, 'status', 'Runtime error (exit 3)');
    const stderr = page.getByTestId('output').locator('[data-stream="stderr"]');
    expect(await stderr.textContent()).toContain('to stderr');
    expect(await stderr.evaluate((el) => getComputedStyle(el).color)).not.toBe(
      await page
        .getByTestId('output')
        .locator('[data-stream="stdout"]')
        .evaluate((el) => getComputedStyle(el).color),
    );
    await screenshot(page, '08-dark');
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await resetProject(page);
  });
});
