// Optional step (--with-browser, which `npm test` passes): Debian's Chromium for the web editor's end-to-end
// tests, which drive /usr/bin/chromium with playwright-core (Playwright's own browser downloads are not used).
import { existsSync } from 'node:fs';
import { BootstrapError, run } from './util.js';
import type { Apt, StepResult } from './util.js';

/** Where the e2e tests (client/e2e/harness.ts) expect the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Installs Debian's `chromium` package when /usr/bin/chromium is missing; returns the browser's path. */
export async function ensureBrowser(apt: Apt): Promise<StepResult<string>> {
  if (existsSync(CHROMIUM_PATH)) {
    return { value: CHROMIUM_PATH, summary: `present, ${await chromiumVersion()}` };
  }
  await apt.install(['chromium']);
  if (!existsSync(CHROMIUM_PATH)) {
    throw new BootstrapError(
      `the chromium package installed but ${CHROMIUM_PATH} is missing`,
      'check `dpkg -L chromium`',
    );
  }
  return { value: CHROMIUM_PATH, summary: `installed, ${await chromiumVersion()}` };
}

async function chromiumVersion(): Promise<string> {
  // The Debian wrapper script may print shell noise on stderr; the version is stdout's first line.
  const result = await run(CHROMIUM_PATH, ['--version'], { timeoutMs: 20_000 });
  return result.stdout.trim().split('\n')[0] || CHROMIUM_PATH;
}
