// Fairness between API keys: with RUN_MAX_PER_KEY, one key's runs beyond its cap get 429 while another key's
// runs go on (test/distributed/key-slots.test.ts covers the slots themselves, in memory and in Redis).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { single, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: 'python', API_KEYS: 'key-a,key-b', RUN_MAX_PER_KEY: '1' });
}, 120000);

afterAll(async () => {
  await server?.app.close();
});

const run = (key: string, content: string) =>
  server.app.inject({
    method: 'POST',
    url: '/api/v1/runs',
    headers: { 'x-api-key': key },
    payload: single('python', 'main.py', content),
  });

describe('RUN_MAX_PER_KEY', () => {
  it('refuses a key past its cap with 429 and Retry-After, while another key runs', async () => {
    // then() sends it now (inject waits for one otherwise).
    const slow = run('key-a', 'import time\ntime.sleep(1.5)\nprint("slow")').then((r) => r);
    await new Promise((r) => setTimeout(r, 200));
    const busy = await run('key-a', 'print("second")');
    expect(busy.statusCode).toBe(429);
    expect(busy.json()).toMatchObject({ code: 'CR_ERR_RUN_KEY_BUSY' });
    expect(busy.headers['retry-after']).toBe('1');
    const other = await run('key-b', 'print("other")');
    expect(other.statusCode).toBe(200);
    expect(other.json().run.stdout).toBe('other\n');
    expect((await slow).json().run.stdout).toBe('slow\n');
    // Its slot is free again once the run ended.
    const again = await run('key-a', 'print("again")');
    expect(again.statusCode).toBe(200);
  });
});
