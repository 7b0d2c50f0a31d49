import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CodeRunnerServer } from '../../src/create-server.js';
import { startTestServer } from '../helpers.js';

// Piston v2 against a real listening server and real containers: the npm package piston-client, unmodified,
// then the cases of Piston's readme.md ("API") and api/src/api/v2.js, job.js as tables, then a WebSocket
// session. What our core cannot match is listed in docs/compat.md (## Piston), not here.

let server: CodeRunnerServer;
let base: string;

/** piston-client's API (index.js); the package ships no types, so it is imported by name at run time. */
interface PistonClient {
  runtimes(): Promise<unknown>;
  execute(language: string, code: string, config?: Record<string, unknown>): Promise<unknown>;
}
const clientModule = 'piston-client';
const { piston } = (await import(clientModule)) as { piston: (opts: { server: string }) => PistonClient };

beforeAll(async () => {
  server = await startTestServer({ LANGUAGES: 'python,c,java', POOL_SIZE: '1' });
  await server.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(server.app.server.address() as AddressInfo).port}`;
}, 240000);

afterAll(async () => {
  await server.app.close();
});

type Json = Record<string, unknown>;

async function post(path: string, body: unknown, type = 'application/json') {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('piston-client (npm, unmodified)', () => {
  it('lists runtimes and runs Python through the client', async () => {
    const client = piston({ server: base });
    const runtimes = (await client.runtimes()) as Json[];
    expect(runtimes).toContainEqual({
      language: 'python',
      version: expect.any(String),
      aliases: expect.arrayContaining(['py', 'python3']),
    });
    const result = (await client.execute('python', 'import sys\nprint("hi", sys.argv[1:])')) as Json;
    expect(result.language).toBe('python');
    expect(result.run).toMatchObject({
      stdout: "hi ['1', '2', '3']\n",
      stderr: '',
      output: "hi ['1', '2', '3']\n",
      code: 0,
      signal: null,
      status: null,
      message: null,
    });
  }, 60000);

  it('runs C with stdin and reports a compile failure with the run copy', async () => {
    const client = piston({ server: base });
    const ok = (await client.execute(
      'c',
      '#include <stdio.h>\nint main(){int x;scanf("%d",&x);printf("%d\\n",x*2);}',
      {
        stdin: '21',
      },
    )) as { compile: Json; run: Json };
    expect(ok.compile).toMatchObject({ code: 0, status: null });
    expect(ok.run).toMatchObject({ stdout: '42\n', code: 0 });
    const bad = (await client.execute('c', 'int main( {')) as { compile: Json; run: Json };
    expect(bad.compile.code).not.toBe(0);
    expect(bad.compile.stderr).toContain('error');
    expect(bad.run).toEqual(bad.compile);
  }, 60000);
});

describe('POST /api/v2/execute: Piston 400 messages (api/src/api/v2.js get_job)', () => {
  const py = { language: 'python', version: '*', files: [{ content: 'print(1)' }] };
  const table: Array<[string, unknown, number, Json]> = [
    ['no language', { version: '*', files: [] }, 400, { message: 'language is required as a string' }],
    [
      'numeric language',
      { language: 3, version: '*', files: [] },
      400,
      { message: 'language is required as a string' },
    ],
    ['no version', { language: 'python', files: [] }, 400, { message: 'version is required as a string' }],
    [
      'files not an array',
      { language: 'python', version: '*', files: {} },
      400,
      { message: 'files is required as an array' },
    ],
    [
      'file without content',
      { language: 'python', version: '*', files: [{ name: 'a.py' }] },
      400,
      { message: 'files[0].content is required as a string' },
    ],
    [
      'second file without content',
      { ...py, files: [{ content: '' }, { content: 1 }] },
      400,
      { message: 'files[1].content is required as a string' },
    ],
    ['null file (Piston throws a TypeError, serialised as {})', { ...py, files: [null] }, 400, {}],
    ['unknown language', { ...py, language: 'html' }, 400, { message: 'html-* runtime is unknown' }],
    ['unmatched version', { ...py, version: '2.x' }, 400, { message: 'python-2.x runtime is unknown' }],
    [
      'alias is case-sensitive',
      { ...py, language: 'Python' },
      400,
      { message: 'Python-* runtime is unknown' },
    ],
    [
      'no utf8 file',
      { ...py, files: [{ content: 'cHJpbnQoMSk=', encoding: 'base64' }] },
      400,
      { message: 'files must include at least one utf8 encoded file' },
    ],
    [
      'run_timeout not a number',
      { ...py, run_timeout: '5' },
      400,
      { message: 'If specified, run_timeout must be a number' },
    ],
    [
      'compile_memory_limit not a number',
      { ...py, compile_memory_limit: 'x' },
      400,
      { message: 'If specified, compile_memory_limit must be a number' },
    ],
    [
      'run_timeout above the configured limit',
      { ...py, run_timeout: 10 ** 9 },
      400,
      {
        message: expect.stringMatching(/^run_timeout cannot exceed the configured limit of \d+$/) as unknown,
      },
    ],
    [
      'negative run_cpu_time',
      { ...py, run_cpu_time: -5 },
      400,
      { message: 'run_cpu_time must be non-negative' },
    ],
  ];
  it.each(table)('%s', async (_name, body, status, expected) => {
    const res = await post('/api/v2/execute', body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(expected);
  });

  it('answers 415 to a content type other than JSON or text/plain', async () => {
    const res = await post('/api/v2/execute', py, 'application/x-www-form-urlencoded');
    expect(res).toEqual({ status: 415, body: { message: 'requests must be of type application/json' } });
  });

  it('accepts JSON sent as text/plain on Piston routes only', async () => {
    expect((await post('/api/v2/piston/execute', py, 'text/plain;charset=UTF-8')).status).toBe(200);
    const own = await post(
      '/api/v1/runs',
      { language: 'python', files: [{ name: 'a.py', content: '' }] },
      'text/plain',
    );
    expect(own.status).toBe(415);
  }, 30000);
});

describe('POST /api/v2/execute: results (readme.md, job.js)', () => {
  const py = (content: string, extra: Json = {}) => ({
    language: 'py',
    version: '3.x',
    files: [{ content }],
    ...extra,
  });
  const table: Array<[string, Json, Json]> = [
    ['a clean exit', py('print("a")'), { code: 0, signal: null, status: null, message: null, stdout: 'a\n' }],
    [
      'a non-zero exit is RE',
      py('raise SystemExit(3)'),
      { code: 3, signal: null, status: 'RE', message: 'Exited with error status 3' },
    ],
    [
      'death by a signal is SG',
      py('import os\nos.kill(os.getpid(), 11)'),
      { code: null, signal: 'SIGSEGV', status: 'SG', message: 'Caught fatal signal 11' },
    ],
    [
      'a wall timeout is TO with SIGKILL',
      py('import time\ntime.sleep(5)', { run_timeout: 500 }),
      { code: null, signal: 'SIGKILL', status: 'TO', message: 'Time limit exceeded (wall clock)' },
    ],
    [
      'stdin gets a trailing newline',
      py('import sys\nprint(repr(sys.stdin.read()))', { stdin: 'x' }),
      { stdout: "'x\\n'\n" },
    ],
    [
      'args are passed',
      py('import sys\nprint(sys.argv[1:])', { args: ['a', 'b'] }),
      { stdout: "['a', 'b']\n" },
    ],
  ];
  it.each([
    [
      'a stdout flood is OL',
      'import sys\nwhile True: sys.stdout.write("x" * 65536)',
      'OL',
      'stdout length exceeded',
    ],
    [
      'a stderr flood is EL',
      'import sys\nwhile True: sys.stderr.write("x" * 65536)',
      'EL',
      'stderr length exceeded',
    ],
  ])(
    '%s with signal SIGKILL',
    async (_name, code, status, message) => {
      const res = await post('/api/v2/execute', py(code));
      expect(res.body.run).toMatchObject({ status, message, signal: 'SIGKILL', code: null });
    },
    30000,
  );

  it('reports a memory-limit kill as SG with SIGKILL', async () => {
    const res = await post(
      '/api/v2/execute',
      py('x = bytearray(200 * 1024 * 1024)', { run_memory_limit: 32 * 1024 * 1024 }),
    );
    expect(res.body.run).toMatchObject({
      status: 'SG',
      signal: 'SIGKILL',
      code: null,
      message: 'Caught fatal signal 9',
    });
  }, 30000);

  it.each(table)(
    '%s',
    async (_name, body, expected) => {
      const res = await post('/api/v2/execute', body);
      expect(res.status).toBe(200);
      expect(res.body.compile).toBeUndefined();
      expect(res.body.run).toMatchObject(expected);
      const run = res.body.run as Json;
      expect(typeof run.wall_time).toBe('number');
      expect(typeof run.cpu_time).toBe('number');
      expect(typeof run.memory).toBe('number');
    },
    30000,
  );

  it('interleaves stdout and stderr in arrival order in output', async () => {
    const code =
      'import sys\nfor i in range(3):\n  print("o%d" % i, flush=True)\n  print("e%d" % i, file=sys.stderr, flush=True)\n  import time; time.sleep(0.05)';
    const res = await post('/api/v2/execute', py(code));
    const run = res.body.run as Json;
    expect(run.stdout).toBe('o0\no1\no2\n');
    expect(run.stderr).toBe('e0\ne1\ne2\n');
    expect(run.output).toBe('o0\ne0\no1\ne1\no2\ne2\n');
  }, 30000);

  it('selects versions with *, x-ranges, exact and comparators', async () => {
    const runtimes = (await (await fetch(`${base}/api/v2/runtimes`)).json()) as Json[];
    const version = runtimes.find((r) => r.language === 'python')!.version as string;
    const [major, minor] = version.split('.');
    for (const selector of [
      '*',
      `${major}.x`,
      `${major}`,
      `${major}.${minor}`,
      version,
      `>=${major}`,
      `^${major}.${minor}.0`,
    ]) {
      const res = await post('/api/v2/execute', py('print(1)', { version: selector }));
      expect([selector, res.status, res.body.version]).toEqual([selector, 200, version]);
    }
    const none = await post('/api/v2/execute', py('print(1)', { version: `<${major}` }));
    expect(none.status).toBe(400);
  }, 60000);
});

describe('POST /api/v2/execute: CPU time and processes (job.js: isolate --time, --wall-time, --processes)', () => {
  const py = (content: string, extra: Json = {}) => ({
    language: 'python',
    version: '*',
    files: [{ content }],
    ...extra,
  });

  it('ends a busy loop at run_cpu_time, long before run_timeout, as a CPU time limit', async () => {
    const res = await post(
      '/api/v2/execute',
      py('while True: pass', { run_cpu_time: 500, run_timeout: 5000 }),
    );
    const run = res.body.run as Json;
    expect(run).toMatchObject({
      status: 'TO',
      message: 'Time limit exceeded',
      signal: 'SIGKILL',
      code: null,
    });
    expect(run.cpu_time).toBeGreaterThanOrEqual(500);
    expect(run.wall_time).toBeLessThan(4000);
  }, 30000);

  it('lets a sleeper outlast its run_cpu_time within run_timeout', async () => {
    const res = await post(
      '/api/v2/execute',
      py('import time\ntime.sleep(1)\nprint("slept")', { run_cpu_time: 300, run_timeout: 3000 }),
    );
    const run = res.body.run as Json;
    expect(run).toMatchObject({ stdout: 'slept\n', code: 0, signal: null, status: null, message: null });
    expect(run.wall_time).toBeGreaterThanOrEqual(1000);
  }, 30000);

  it('caps forks as max_process_count (64) does, less the bash that runs the program in Piston', async () => {
    // Children that wait (not spin), a parent that counts: in Piston bash + a.out + 62 children make 64.
    const code = [
      '#include <stdio.h>',
      '#include <unistd.h>',
      'int main(void) {',
      '  int ok = 0, failed = 0;',
      '  for (int i = 0; i < 200; i++) {',
      '    pid_t p = fork();',
      '    if (p == -1) failed++;',
      '    else if (p == 0) for (;;) pause();',
      '    else ok++;',
      '  }',
      '  printf("%d %d\\n", ok, failed);',
      '}',
    ].join('\n');
    const res = await post('/api/v2/execute', { language: 'c', version: '*', files: [{ content: code }] });
    expect(res.body.run).toMatchObject({ stdout: '62 138\n', code: 0, status: null });
  }, 60000);

  it('caps threads with the same limit where the container would allow more (Java: pids 128)', async () => {
    const code = [
      'import java.nio.file.*;',
      'public class Main {',
      '  public static void main(String[] args) throws Exception {',
      '    int started = 0;',
      '    try {',
      '      for (int i = 0; i < 500; i++) {',
      '        Thread t = new Thread(() -> { try { Thread.sleep(60000); } catch (InterruptedException e) {} });',
      '        t.setDaemon(true);',
      '        t.start();',
      '        started++;',
      '      }',
      '    } catch (OutOfMemoryError e) {}',
      '    String threads = Files.readAllLines(Path.of("/proc/self/status")).stream()',
      '        .filter(l -> l.startsWith("Threads:")).findFirst().get().split("\\\\s+")[1];',
      '    System.out.println(threads + " " + (started < 500));',
      '    System.exit(0);',
      '  }',
      '}',
    ].join('\n');
    const res = await post('/api/v2/execute', {
      language: 'java',
      version: '*',
      files: [{ name: 'Main.java', content: code }],
    });
    const run = res.body.run as Json;
    expect(run).toMatchObject({ code: 0, status: null });
    // The JVM's own threads and the ones started: 63 in all, as in Piston beside its bash. (The JVM warns on
    // stdout about the thread it could not start.)
    expect(String(run.stdout).trimEnd().split('\n').pop()).toBe('63 true');
  }, 60000);
});

/** Opens `/api/v2/connect` and records every frame and the close. */
function connect(path = '/api/v2/connect') {
  const ws = new WebSocket(`${base.replace('http', 'ws')}${path}`);
  const frames: Json[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString()) as Json));
  const opened = new Promise<void>((resolve, reject) => {
    ws.on('open', () => resolve());
    ws.on('error', reject);
  });
  const waitFor = async (pred: (f: Json) => boolean, ms = 20000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const hit = frames.find(pred);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`no such frame in ${JSON.stringify(frames)}`);
  };
  return { ws, frames, closed, opened, waitFor, send: (m: unknown) => ws.send(JSON.stringify(m)) };
}

describe('WebSocket /api/v2/connect (readme.md "Interactive execution endpoint")', () => {
  it('runs a session with stdin and a signal that really reaches the program', async () => {
    const s = connect();
    await s.opened;
    const code = [
      'import signal, sys',
      'signal.signal(signal.SIGUSR1, lambda *a: (print("got usr1", flush=True), sys.exit(7)))',
      'print("echo:" + input(), flush=True)',
      'import time',
      'while True: time.sleep(0.05)',
    ].join('\n');
    s.send({
      type: 'init',
      language: 'python',
      version: '*',
      files: [{ content: code }],
      run_timeout: 10000,
    });
    expect(await s.waitFor((f) => f.type === 'runtime')).toMatchObject({ language: 'python' });
    await s.waitFor((f) => f.type === 'stage');
    s.send({ type: 'data', stream: 'stdin', data: 'hello\n' });
    await s.waitFor((f) => f.type === 'data' && String(f.data).includes('echo:hello'));
    s.send({ type: 'signal', signal: 'SIGUSR1' });
    expect(await s.waitFor((f) => f.type === 'exit')).toEqual({
      type: 'exit',
      stage: 'run',
      code: 7,
      signal: null,
    });
    expect(await s.closed).toEqual({ code: 4999, reason: 'Job Completed' });
    const out = s.frames
      .filter((f) => f.type === 'data')
      .map((f) => f.data)
      .join('');
    expect(out).toBe('echo:hello\ngot usr1\n');
    expect(s.frames[0]).toMatchObject({ type: 'runtime' });
    expect(s.frames[1]).toEqual({ type: 'stage', stage: 'run' });
  }, 60000);

  it('reports a SIGKILL as an exit with signal SIGKILL on /api/v2/piston/connect', async () => {
    const s = connect('/api/v2/piston/connect');
    await s.opened;
    s.send({ type: 'init', language: 'python', version: '3.x', files: [{ content: 'input()' }] });
    await s.waitFor((f) => f.type === 'stage');
    s.send({ type: 'signal', signal: 'SIGKILL' });
    expect(await s.waitFor((f) => f.type === 'exit')).toEqual({
      type: 'exit',
      stage: 'run',
      code: null,
      signal: 'SIGKILL',
    });
    expect((await s.closed).code).toBe(4999);
  }, 60000);

  const closes: Array<[string, unknown[], number, string, Json | null]> = [
    ['no init within a second', [], 4001, 'Initialization Timeout', null],
    ['data before init', [{ type: 'data', stream: 'stdin', data: 'x' }], 4003, 'Not yet initialized', null],
    ['signal before init', [{ type: 'signal', signal: 'SIGINT' }], 4003, 'Not yet initialized', null],
    ['invalid JSON', ['{nope'], 4002, 'Notified Error', { type: 'error' }],
    [
      'an invalid init',
      [{ type: 'init', language: 'python' }],
      4002,
      'Notified Error',
      { type: 'error', message: 'version is required as a string' },
    ],
    [
      'a second init',
      [{ type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] }, { type: 'init' }],
      4000,
      'Already Initialized',
      null,
    ],
    [
      'writing to stdout',
      [
        { type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] },
        { type: 'data', stream: 'stdout', data: 'x' },
      ],
      4004,
      'Can only write to stdin',
      null,
    ],
    [
      'an invalid signal',
      [
        { type: 'init', language: 'python', version: '*', files: [{ content: 'input()' }] },
        { type: 'signal', signal: 'SIGNOPE' },
      ],
      4005,
      'Invalid signal',
      null,
    ],
  ];
  it.each(closes)(
    'closes on %s',
    async (_name, messages, code, reason, frame) => {
      const s = connect();
      await s.opened;
      for (const m of messages) s.ws.send(typeof m === 'string' ? m : JSON.stringify(m));
      expect(await s.closed).toEqual({ code, reason });
      if (frame) expect(s.frames.find((f) => f.type === 'error')).toMatchObject(frame);
    },
    30000,
  );
});
