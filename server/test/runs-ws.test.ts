import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CodeRunnerServer } from '../src/create-server.js';
import { startTestServer } from './helpers.js';
import { openRunSocket, type Frame } from './ws-client.js';

let server: CodeRunnerServer;
let url: string;

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: 'python,c', POOL_SIZE: '1' });
  const address = await server.app.listen({ port: 0, host: '127.0.0.1' });
  url = `${address.replace('http', 'ws')}/api/v1/runs/ws`;
});

afterAll(async () => {
  await server.app.close();
});

/** Opens a connection to this file's server and sends the run message. */
const open = (run: object) => openRunSocket(url, run);

const py = (content: string, extra: object = {}) => ({
  type: 'run',
  request: { language: 'python', files: [{ name: 'main.py', content }], ...extra },
});

const text = (frames: Frame[], type: string) =>
  frames
    .filter((f) => f.type === type)
    .map((f) => f.data)
    .join('');

describe('streaming runs over WebSocket', () => {
  it('streams output as it is produced, then the result, then closes normally', async () => {
    const c = open(py('import time\nprint("a", flush=True)\ntime.sleep(0.8)\nprint("b")'));
    const first = await c.next((f) => f.type === 'stdout');
    const result = await c.next((f) => f.type === 'result');
    expect(String(first.data)).toMatch(/^a/);
    expect(result.at - first.at).toBeGreaterThan(500);
    expect(result.status).toBe('ok');
    expect(text(c.frames, 'stdout')).toBe('a\nb\n');
    expect(c.frames.map((f) => f.type).slice(0, 2)).toEqual(['accepted', 'stage']);
    expect(c.frames.some((f) => f.type === 'stage-exit' && f.exitCode === 0)).toBe(true);
    expect((await c.closed).code).toBe(1000);
  });

  it('lets the client type into a running program', async () => {
    const c = open(py('name = input("name? ")\nprint("hi", name)\nprint("again:", input())'));
    await c.next((f) => f.type === 'stdout' && String(f.data).includes('name? '));
    c.send({ type: 'stdin', data: 'Ada\n' });
    await c.next(() => text(c.frames, 'stdout').includes('hi Ada\n'));
    c.send({ type: 'stdin', data: 'x' });
    c.send({ type: 'stdin-close' });
    const result = await c.next((f) => f.type === 'result');
    expect(result.status).toBe('ok');
    expect(text(c.frames, 'stdout')).toBe('name? hi Ada\nagain: x\n');
  });

  it('stops a running program on request', async () => {
    const limitMs = 20000;
    const c = open(py('print("spinning", flush=True)\nwhile True: pass', { limits: { timeoutMs: limitMs } }));
    await c.next((f) => f.type === 'stdout');
    c.send({ type: 'stop' });
    // Stopped, not timed out: the result comes long before the run's own limit.
    const result = await c.next((f) => f.type === 'result', limitMs / 4);
    expect(result.status).toBe('runtime_error');
    expect((result.run as { signal: string }).signal).toBe('SIGKILL');
    expect(result.at).toBeLessThan(limitMs / 4);
  });

  it('delivers the output produced before a timeout', async () => {
    const c = open(py('print("before", flush=True)\nwhile True: pass', { limits: { timeoutMs: 800 } }));
    const result = await c.next((f) => f.type === 'result');
    expect(result.status).toBe('timeout');
    expect(text(c.frames, 'stdout')).toBe('before\n');
  });

  it('streams no more output than the cap, the same output the result holds', async () => {
    const c = open(py('while True: print("x" * 100)', { limits: { outputKb: 4 } }));
    const result = await c.next((f) => f.type === 'result');
    expect(result.status).toBe('output_limit');
    expect(text(c.frames, 'stdout')).toBe((result.run as { stdout: string }).stdout);
    expect(text(c.frames, 'stdout').length).toBe(4096);
  });

  it('streams compiler output and skips the run stage on a compile error', async () => {
    const c = open({
      type: 'run',
      request: { language: 'c', files: [{ name: 'main.c', content: 'int main(void) { return x; }' }] },
    });
    const result = await c.next((f) => f.type === 'result');
    expect(result.status).toBe('compile_error');
    expect(c.frames.filter((f) => f.type === 'stage').map((f) => f.stage)).toEqual(['compile']);
    expect(text(c.frames, 'stderr')).toMatch(/.x. undeclared/);
  });

  it('stops the program and frees its container when the client disconnects', async () => {
    const c = open(py('print("up", flush=True)\nwhile True: pass', { limits: { timeoutMs: 20000 } }));
    await c.next((f) => f.type === 'stdout');
    expect(server.runs.inFlight).toBe(1);
    c.socket.terminate();
    const started = Date.now();
    while (server.runs.inFlight > 0 && Date.now() - started < 5000)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.runs.inFlight).toBe(0);
  });

  it('answers a bad first message or a bad run request with an error frame and a 44xx close', async () => {
    const bad = open({ type: 'stdin', data: 'x' });
    const error = await bad.next((f) => f.type === 'error');
    expect(error.code).toBe('CR_ERR_WS_INVALID_MESSAGE');
    expect((await bad.closed).code).toBe(4400);

    const unknown = open({
      type: 'run',
      request: { language: 'cobol', files: [{ name: 'a', content: '' }] },
    });
    expect((await unknown.next((f) => f.type === 'error')).code).toBe('CR_ERR_RUN_UNKNOWN_LANGUAGE');
    expect((await unknown.closed).code).toBe(4400);

    const garbage = new WebSocket(url);
    garbage.on('open', () => garbage.send('{not json'));
    const code = await new Promise<number>((resolve) => garbage.on('close', (c) => resolve(c)));
    expect(code).toBe(4400);
  });
});

describe('WebSocket runs with test cases', () => {
  it('streams each verdict as its test ends, and nothing of a hidden test but its verdict', async () => {
    const code = 'import sys\nline = sys.stdin.readline().strip()\nprint(line.upper())\n';
    const c = open({
      type: 'run',
      request: {
        language: 'python',
        files: [{ name: 'main.py', content: code }],
        tests: [
          { name: 'one', stdin: 'abc\n', expectedOutput: 'ABC' },
          { name: 'secret', stdin: 'top-secret-input\n', expectedOutput: 'NOPE', hidden: true },
          { name: 'three', stdin: 'x\n', expectedOutput: 'X' },
        ],
      },
    });
    const result = await c.next((f) => f.type === 'result', 30000);
    expect((await c.closed).code).toBe(1000);
    const tests = c.frames.filter((f) => f.type === 'test');
    expect(tests.map((f) => [f.index, (f.result as { verdict: string }).verdict])).toEqual([
      [0, 'passed'],
      [1, 'wrong_answer'],
      [2, 'passed'],
    ]);
    // Each verdict comes before the result, in the order the tests ran.
    expect(tests.every((f) => f.at <= result.at)).toBe(true);
    expect(tests[1]!.result).toEqual({ name: 'secret', verdict: 'wrong_answer', points: 0, hidden: true });
    const streamed = JSON.stringify(c.frames.filter((f) => f.type !== 'result'));
    expect(streamed).toContain('ABC');
    expect(streamed).not.toContain('TOP-SECRET-INPUT');
    expect(JSON.stringify(result)).not.toContain('TOP-SECRET-INPUT');
    expect(result.score).toEqual({ passed: 2, total: 3, points: 2, maxPoints: 3 });
  }, 60000);
});
