// The WebSocket run handler (http/runs-ws.ts) through the whole app (buildApp) on a real socket, over the fake
// driver: early-input caps (count and bytes, from the config), disconnects, signals, stdin backpressure, floods.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { ProgramContext } from '../fakes/fake-programs.js';
import {
  buildFakeApp,
  createFakeStack,
  fakeRun,
  recordRunPaths,
  type FakeStack,
  type FakeStackOptions,
} from '../fakes/fake-stack.js';

interface Frame {
  type: string;
  [key: string]: unknown;
}

let app: FastifyInstance | null = null;
let stack: FakeStack | null = null;
let url = '';
let paths: string[][] = [];
const cleanups: Array<() => void> = [];

const until = (check: () => boolean, timeout = 3000) =>
  vi.waitFor(() => expect(check()).toBe(true), { timeout, interval: 5 });

/** The app over a fake stack, listening on a free port; one run at a time, small early-input caps. */
async function start(options: FakeStackOptions = {}, env: Record<string, string> = {}): Promise<FakeStack> {
  paths = recordRunPaths();
  stack = await createFakeStack({
    ...options,
    env: { RUN_MAX_CONCURRENT: '1', WS_MAX_EARLY_MESSAGES: '8', WS_MAX_EARLY_KB: '4', ...env },
    timeouts: { RUN_QUEUE_TIMEOUT_MS: 5000, RUN_ACQUIRE_TIMEOUT_MS: 5000 },
  });
  app = await buildFakeApp(stack);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  url = `${address.replace('http', 'ws')}/api/v1/runs/ws`;
  return stack;
}

/** A run through RunService directly that holds the only slot until released. */
async function holdTheSlot(s: FakeStack) {
  const controller = new AbortController();
  const done = s.runs.run(fakeRun('sleep 30'), { signal: controller.signal }).catch(() => undefined);
  await until(() => s.runs.stateCounts().running === 1);
  const release = () => controller.abort(new Error('released'));
  cleanups.push(release);
  return { release, done };
}

/** Opens a connection that sends `script` as a fake run, recording every frame. */
function connect(script: string) {
  const socket = new WebSocket(url);
  const frames: Frame[] = [];
  socket.on('open', () => socket.send(JSON.stringify({ type: 'run', request: fakeRun(script) })));
  socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const frame = async (type: string) => {
    await until(() => frames.some((f) => f.type === type));
    return frames.find((f) => f.type === type)!;
  };
  const send = (message: object) => socket.send(JSON.stringify(message));
  cleanups.push(() => socket.terminate());
  return { socket, frames, closed, frame, send };
}

const stdoutOf = (frames: Frame[]) =>
  frames
    .filter((f) => f.type === 'stdout')
    .map((f) => String(f.data))
    .join('');

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
  const s = stack;
  if (s) await until(() => s.runs.inFlight === 0);
  await app?.close();
  await s?.close();
  if (s) expect(s.driver.present).toEqual([]);
  app = null;
  stack = null;
});

describe('WebSocket runs', () => {
  it('streams accepted, stage, output, stage-exit and the result, then closes normally', async () => {
    await start();
    const c = connect('echo hi');
    expect((await c.closed).code).toBe(1000);
    expect(c.frames.map((f) => f.type)).toEqual(['accepted', 'stage', 'stdout', 'stage-exit', 'result']);
    expect(c.frames[4]).toMatchObject({ status: 'ok', run: { stdout: 'hi\n' } });
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'finished']]);
  });

  it('keeps messages sent before the program starts, up to the cap, and hands them over in order', async () => {
    const s = await start();
    const slot = await holdTheSlot(s);
    const c = connect('cat');
    await c.frame('accepted');
    for (let i = 0; i < 7; i++) c.send({ type: 'stdin', data: `m${i};` });
    c.send({ type: 'stdin-close' }); // the 8th message: exactly the cap
    await until(() => s.runs.stateCounts().queued === 1);
    await new Promise((r) => setTimeout(r, 30)); // time for the server to read them all while queued
    slot.release();
    expect((await c.closed).code).toBe(1000);
    expect(stdoutOf(c.frames)).toBe('m0;m1;m2;m3;m4;m5;m6;');
  });

  it('closes with 4413 and CR_ERR_WS_TOO_MUCH_EARLY_INPUT one message past WS_MAX_EARLY_MESSAGES', async () => {
    const s = await start();
    await holdTheSlot(s);
    const c = connect('cat');
    await c.frame('accepted');
    for (let i = 0; i < 9; i++) c.send({ type: 'stdin', data: 'x' });
    expect((await c.closed).code).toBe(4413);
    expect(await c.frame('error')).toMatchObject({ code: 'CR_ERR_WS_TOO_MUCH_EARLY_INPUT' });
    // The queued run went with its socket; the program never started.
    await until(() => s.runs.inFlight === 1);
    expect(paths[1]).toEqual(['queued', 'cancelled']);
    expect(s.driver.sandboxes).toHaveLength(1);
  });

  it('closes with 4413 once early messages pass WS_MAX_EARLY_KB', async () => {
    const s = await start();
    await holdTheSlot(s);
    const c = connect('cat');
    await c.frame('accepted');
    c.send({ type: 'stdin', data: 'a'.repeat(3000) });
    c.send({ type: 'stdin', data: 'b'.repeat(3000) }); // 6000 bytes > 4 KiB
    expect((await c.closed).code).toBe(4413);
    expect(await c.frame('error')).toMatchObject({ code: 'CR_ERR_WS_TOO_MUCH_EARLY_INPUT' });
    await until(() => s.runs.inFlight === 1);
  });

  it('cancels the run when the client disconnects mid-run: program killed, container released', async () => {
    const s = await start();
    const c = connect('sleep 30');
    await c.frame('stage');
    c.socket.terminate();
    await until(() => s.runs.inFlight === 0);
    expect(paths).toEqual([['queued', 'acquiring', 'running', 'cancelled']]);
    const [sandbox] = s.driver.sandboxes;
    expect(sandbox!.signalsSent).toEqual([9]);
    await until(() => sandbox!.destroyCalls === 1);
  });

  it('drops a queued run when its client disconnects, without making a container for it', async () => {
    const s = await start();
    await holdTheSlot(s);
    const c = connect('echo never');
    await c.frame('accepted');
    await until(() => s.runs.stateCounts().queued === 1);
    c.socket.terminate();
    await until(() => s.runs.inFlight === 1);
    expect(paths[1]).toEqual(['queued', 'cancelled']);
    expect(s.driver.createCalls).toHaveLength(1);
  });

  it.each([
    [{ type: 'signal', signal: 'SIGINT' }, 2, 'SIGINT'],
    [{ type: 'signal', signal: 'SIGTERM' }, 15, 'SIGTERM'],
    [{ type: 'stop' }, 9, 'SIGKILL'],
  ])('passes %j to the running program', async (message, number, name) => {
    const s = await start();
    const c = connect('sleep 30');
    await c.frame('stage');
    c.send(message);
    expect((await c.closed).code).toBe(1000);
    expect(s.driver.sandboxes[0]!.signalsSent).toEqual([number]);
    expect(c.frames.find((f) => f.type === 'stage-exit')).toMatchObject({ signal: name, limit: 'killed' });
    expect(c.frames.find((f) => f.type === 'result')).toMatchObject({ status: 'runtime_error' });
  });

  it('stops reading stdin messages while the sandbox has not taken the last write', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    const s = await start({ driver: { stdinBufferBytes: 1024 } });
    // Reads nothing until the test opens the gate, then copies stdin to stdout.
    s.driver.registerProgram('gated', async (ctx: ProgramContext) => {
      await Promise.race([gate, ctx.sleep(Number.POSITIVE_INFINITY)]);
      for (let chunk = await ctx.readStdin(); chunk; chunk = await ctx.readStdin()) ctx.stdout(chunk);
    });
    const c = connect('gated');
    await c.frame('stage');
    const parts = ['a', 'b', 'c', 'd', 'e'].map((ch) => ch.repeat(2000));
    for (const data of parts) c.send({ type: 'stdin', data });
    c.send({ type: 'stdin-close' });
    const sandbox = s.driver.sandboxes[0]!;
    await until(() => sandbox.stdinWrites.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    // The first write filled the buffer: nothing more was sent while the program did not read.
    expect(sandbox.stdinWrites).toHaveLength(1);
    openGate();
    expect((await c.closed).code).toBe(1000);
    expect(sandbox.stdinWrites.map((b) => b.toString())).toEqual(parts);
    expect(stdoutOf(c.frames)).toBe(parts.join(''));
  });

  it('does not hold on to a flood of early messages: closes at the cap, reads no more, memory stays flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const s = await start();
    await holdTheSlot(s);
    const c = connect('cat');
    await c.frame('accepted');
    // Counts the flood messages the server parses (without keeping them, as a spy's call log would).
    const parse = JSON.parse;
    let parsedFlood = 0;
    JSON.parse = ((text: string, reviver?: never) => {
      if (typeof text === 'string' && text.startsWith('{"type":"stdin","data":"fff')) parsedFlood++;
      return parse(text, reviver) as unknown;
    }) as typeof JSON.parse;
    cleanups.push(() => (JSON.parse = parse));
    gc();
    const before = process.memoryUsage().heapUsed;
    const line = JSON.stringify({ type: 'stdin', data: 'f'.repeat(1024) });
    for (let i = 0; i < 6000; i++) c.socket.send(line); // 6 MiB the server must neither keep nor read
    expect((await c.closed).code).toBe(4413);
    JSON.parse = parse;
    // Four messages of 1 KiB pass the 4 KiB cap; nothing sent after the refusal is parsed.
    expect(parsedFlood).toBe(4);
    await until(() => s.runs.inFlight === 1);
    gc();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(4 * 1024 * 1024);
    expect(s.driver.sandboxes.flatMap((x) => x.stdinWrites)).toEqual([]);
  });
});
