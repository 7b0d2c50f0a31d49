// Grading in the editor end to end: the built client in headless Chromium against a real server on real Docker.
// A student writes a Python function and runs the teacher's tests (five visible, one hidden) from the Tests
// panel, sees a plot their program saved, and the file tree works as an ARIA tree from the keyboard.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../server/src/create-server.js';
import { collectLeaks } from '../../server/test/helpers.js';
import {
  ARTIFACTS,
  createInTree,
  launchChromium,
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
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
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

/** The path of the tree item that has keyboard focus (null when focus is elsewhere). */
const focusedItem = () =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.item ?? null);
const item = (path: string) => page.locator(`[role="treeitem"][data-item="${path}"]`);

const AVERAGE = `def average(numbers):
    return sum(numbers) // len(numbers)


numbers = [int(x) for x in input().split()]
print(average(numbers))
`;

// The teacher's visible tests, as a file shaped like a run request's "tests"; the hidden one is added in the form.
const VISIBLE_TESTS = [
  { name: 'equal', stdin: '4 4\n', expectedOutput: '4\n' },
  { name: 'three', stdin: '1 2 3\n', expectedOutput: '2\n' },
  { name: 'halves', stdin: '1 2\n', expectedOutput: '1.5\n' },
  { name: 'single', stdin: '7\n', expectedOutput: '7' },
  { name: 'spacing', stdin: '10 20 30\n', expectedOutput: '  20  \n', compare: 'tokens' },
];

describe('grading in the web editor', () => {
  it("lists the language's libraries next to the language select", async () => {
    await waitForText(page, 'language-libraries', 'numpy');
    const libraries = await textOf(page, 'language-libraries');
    expect(libraries).toMatch(/numpy \d+\.\d+\.\d+ · pandas \d+\.\d+\.\d+/);
    expect(libraries).toContain('matplotlib');
    expect(await page.getByTestId('language-select').getAttribute('aria-describedby')).toBe(
      'language-libraries',
    );
  });

  it('makes the file tree an ARIA tree that the arrow keys walk through', async () => {
    await waitForText(page, 'file-tree', 'main.py');
    await createInTree(page, 'folder', 'pkg');
    await createInTree(page, 'file', 'helper.py'); // inside the selected folder
    const tree = page.getByRole('tree', { name: 'Project files' });
    expect(await tree.count()).toBe(1);
    expect(await tree.getByRole('treeitem').count()).toBe(3);
    expect(await tree.getByRole('group').count()).toBe(1);
    expect(await item('pkg').getAttribute('aria-expanded')).toBe('true');
    expect(await item('pkg').getAttribute('aria-level')).toBe('1');
    expect(await item('pkg/helper.py').getAttribute('aria-level')).toBe('2');
    expect(await item('main.py').getAttribute('aria-expanded')).toBeNull();
    expect(await tree.getByRole('treeitem', { name: 'main.py (runs first)' }).count()).toBe(1);

    await page.getByTestId('file-tree').locator('[data-path="main.py"]').click();
    expect(await focusedItem()).toBe('main.py');
    expect(await item('main.py').getAttribute('aria-selected')).toBe('true');
    // Roving tabindex: only one item is in the Tab order.
    expect(await tree.locator('[role="treeitem"][tabindex="0"]').count()).toBe(1);

    await page.keyboard.press('Home');
    expect(await focusedItem()).toBe('pkg');
    expect(await item('pkg').getAttribute('aria-selected')).toBe('true');
    expect(await item('main.py').getAttribute('aria-selected')).toBe('false');
    expect(await item('pkg').getAttribute('tabindex')).toBe('0');
    await page.keyboard.press('ArrowLeft');
    expect(await item('pkg').getAttribute('aria-expanded')).toBe('false');
    expect(await item('pkg/helper.py').count()).toBe(0);
    await page.keyboard.press('ArrowDown');
    expect(await focusedItem()).toBe('main.py');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowRight');
    expect(await item('pkg').getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('ArrowRight');
    expect(await focusedItem()).toBe('pkg/helper.py');
    await page.keyboard.press('ArrowLeft');
    expect(await focusedItem()).toBe('pkg');
    await page.keyboard.press('End');
    expect(await focusedItem()).toBe('main.py');
    await page.keyboard.press('ArrowUp');
    expect(await focusedItem()).toBe('pkg/helper.py');
    await page.keyboard.press('Enter'); // opens the file in the editor
    const shown = page.getByRole('navigation', { name: 'Open files' }).locator('button[aria-current="true"]');
    await page.waitForFunction(
      () =>
        document.querySelector('nav[aria-label="Open files"] button[aria-current="true"]')?.textContent ===
        'helper.py',
      null,
      { timeout: 5000 },
    );
    expect(await shown.textContent()).toBe('helper.py');
    await page.keyboard.press('Home');
    await page.keyboard.press('Delete'); // the page accepts the confirm
    await item('pkg').waitFor({ state: 'detached', timeout: 5000 });
    await page.getByTestId('file-tree').locator('[data-path="main.py"]').click();
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    await screenshot(page, '10-file-tree-keyboard');
  });

  it('runs five visible tests and a hidden one, streaming verdicts, with a diff for the wrong answer', async () => {
    await setEditorText(page, AVERAGE);
    await page.getByTestId('import-tests').setInputFiles({
      name: 'average-tests.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(VISIBLE_TESTS)),
    });
    await page.getByTestId('test-case-4').waitFor({ timeout: 5000 });

    // The hidden test, through the form.
    await page.getByTestId('add-test').click();
    const hidden = page.getByTestId('test-case-5');
    await hidden.getByLabel('Name').fill('secret');
    await hidden.getByLabel('Input (stdin)').fill('100 200\n');
    await hidden.getByLabel('Expected output').fill('150\n');
    await hidden.getByLabel('Compare').selectOption('tokens');
    await hidden.getByLabel('Points').fill('2');
    await hidden.getByLabel('Hidden (only the verdict is shown)').check();

    // Export gives back what was imported plus the hidden test, in the request's shape.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 10000 }),
      page.getByRole('button', { name: 'Export JSON' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('coderunner-python-tests.json');
    await download.saveAs(`${ARTIFACTS}tests.json`);
    expect(JSON.parse(readFileSync(`${ARTIFACTS}tests.json`, 'utf8'))).toEqual([
      ...VISIBLE_TESTS,
      {
        name: 'secret',
        stdin: '100 200\n',
        expectedOutput: '150\n',
        compare: 'tokens',
        points: 2,
        hidden: true,
      },
    ]);

    // Record whether a verdict was on the page while others were still pending (they stream in).
    await page.evaluate(() => {
      const w = window as unknown as { sawPartial: boolean };
      w.sawPartial = false;
      new MutationObserver(() => {
        const done = document.querySelectorAll('[data-testid^="test-result-"][data-verdict]').length;
        const pending = document.querySelectorAll('.test-result--pending').length;
        if (done > 0 && pending > 0) w.sawPartial = true;
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    await page.getByTestId('run-tests').click();
    await waitForText(page, 'status', 'Tests finished', 60000);
    expect(await page.evaluate(() => (window as unknown as { sawPartial: boolean }).sawPartial)).toBe(true);
    expect(await textOf(page, 'status')).toContain('5 of 6 passed');
    expect(await textOf(page, 'test-score')).toBe('5 of 6 passed · 6 of 7 points');

    const verdicts = await page
      .locator('[data-testid^="test-result-"]')
      .evaluateAll((items) => items.map((i) => i.getAttribute('data-verdict')));
    expect(verdicts).toEqual(['passed', 'passed', 'wrong_answer', 'passed', 'passed', 'passed']);
    expect(
      await page.getByRole('region', { name: 'Test results' }).locator('ol').getAttribute('aria-live'),
    ).toBe('polite');

    const diff = await textOf(page, 'test-diff-2');
    expect(diff).toContain('line 1, column 2');
    expect(diff).toMatch(/Expected\s*1\.5/);
    expect(diff).toMatch(/Actual\s*1(?!\.)/);
    expect(await textOf(page, 'test-result-2')).toContain('Test 3, halves: Wrong answer');

    // The hidden test shows its verdict and points, nothing of its input or output.
    const secret = page.getByTestId('test-result-5');
    expect(await secret.textContent()).toBe('✓Test 6, secret (hidden): Passed2 points');
    expect(await secret.locator('details, pre, .test-diff').count()).toBe(0);
    await screenshot(page, '11-tests', true);
  });

  it('keeps the test cases with the project across a reload', async () => {
    await page.reload();
    await waitForText(page, 'file-tree', 'main.py');
    await page.getByTestId('test-case-5').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('test-case-5').getByLabel('Name').inputValue()).toBe('secret');
    expect(
      await page.getByTestId('test-case-5').getByLabel('Hidden (only the verdict is shown)').isChecked(),
    ).toBe(true);
  });

  it('shows a matplotlib plot the program saved under out/ inline', async () => {
    await setEditorText(
      page,
      'import os\n\nimport matplotlib.pyplot as plt\n\nos.makedirs("out", exist_ok=True)\n' +
        'plt.plot([1, 2, 3], [1, 4, 9])\nplt.title("squares")\nplt.savefig("out/plot.png")\nprint("saved")\n',
    );
    await page.getByTestId('run-button').click();
    await waitForText(page, 'status', 'Finished', 60000);
    expect(await textOf(page, 'output')).toContain('saved');
    const plot = page.getByTestId('output-files').getByRole('img', { name: 'out/plot.png' });
    await plot.waitFor({ timeout: 5000 });
    expect(await plot.getAttribute('src')).toMatch(/^data:image\/png;base64,iVBOR/);
    expect(await plot.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 100)).toBe(true);
    expect(await page.getByTestId('outputs-truncated').count()).toBe(0);
    await screenshot(page, '12-plot');
  });
});
