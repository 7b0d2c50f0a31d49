// Phase (h) of `npm run bench`: in the browser, the time from clicking Run to the first character of output in
// the editor's console for a warm Python hello world, each run after the pool is full again. Measured here, not
// in the test suite: speed goals are reported by the bench, never asserted by tests. Needs the built editor
// (client/dist, made by `npm run build`) and Debian's chromium (the bootstrap's --with-browser step).
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import {
  CLIENT_DIST,
  launchChromium,
  resetProject,
  setEditorText,
  startEditorServer,
  timeFirstOutput,
  waitForText,
} from '../client/e2e/harness.js';
import { progress, summarize, type Bounds, type Summary } from './stats.js';

/** What the phase measured, or why it could not run. */
export type EditorFirstOutput =
  { ran: true; firstOutput: Summary; nextFrame: Summary } | { ran: false; reason: string };

/** Runs the phase within `bounds` (one warm-up run first, not counted). */
export async function benchEditorFirstOutput(bounds: Bounds): Promise<EditorFirstOutput> {
  if (!existsSync(`${CLIENT_DIST}index.html`))
    return { ran: false, reason: 'the editor is not built (npm run build)' };
  if (!existsSync('/usr/bin/chromium'))
    return { ran: false, reason: 'no /usr/bin/chromium (npm run bootstrap -- --with-browser)' };
  const { server, baseUrl } = await startEditorServer({ LANGUAGES: 'python' });
  let browser: Browser | null = null;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('dialog', (dialog) => void dialog.accept());
    await page.goto(baseUrl);
    await page
      .getByTestId('language-select')
      .locator('option[value="python"]')
      .waitFor({ state: 'attached' });
    await resetProject(page);
    await setEditorText(page, 'print("Hello, world!")\n');
    const dom: number[] = [];
    const frame: number[] = [];
    const deadline = Date.now() + bounds.budgetMs;
    for (let i = 0; i <= bounds.count && Date.now() < deadline && !bounds.signal.aborted; i++) {
      await server.pools.whenFull(30_000);
      const sample = await timeFirstOutput(page);
      await waitForText(page, 'status', 'Finished');
      if (i === 0) continue; // the first run also loads code chunks: a warm-up
      dom.push(sample.dom);
      frame.push(sample.frame);
    }
    progress(`(h) ${dom.length} runs in the browser`);
    return { ran: true, firstOutput: summarize(dom), nextFrame: summarize(frame) };
  } finally {
    await browser?.close();
    await server.app.close();
  }
}
