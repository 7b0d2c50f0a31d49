import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import type { CodeRunnerServer } from '../src/create-server.js';
import { isRunnerUid } from '../src/sandbox/docker-sandbox-driver.js';
import { containersOf, postRun, single, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  const id = server.driver.instanceId;
  await server.app.close();
  expect(await containersOf(id)).toEqual([]);
});

async function run(body: unknown) {
  const res = await postRun(server.app, body);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('runs API on real containers', () => {
  it('runs a Python hello world', async () => {
    const result = await run(single('python', 'main.py', 'print("hello, world")'));
    expect(result.status).toBe('ok');
    expect(result.language).toBe('python');
    expect(result.version).toMatch(/^3\.\d+\.\d+$/);
    expect(result.run.stdout).toBe('hello, world\n');
    expect(result.run.exitCode).toBe(0);
    expect(result.compile).toBeNull();
    expect(result.run.wallTimeMs).toBeGreaterThan(0);
    expect(result.run.memoryKb).toBeGreaterThan(1000);
  });

  it('runs a JavaScript hello world by alias', async () => {
    const result = await run(single('node', 'main.js', 'console.log("hi from " + typeof process)'));
    expect(result.status).toBe('ok');
    expect(result.language).toBe('javascript');
    expect(result.run.stdout).toBe('hi from object\n');
  });

  it('feeds stdin and passes args', async () => {
    const code = 'import sys\nprint(sys.argv[1:])\nfor line in sys.stdin: print(line.strip().upper())';
    const result = await run(single('python', 'main.py', code, { stdin: 'ab\ncd\n', args: ['x', 'y z'] }));
    expect(result.run.stdout).toBe("['x', 'y z']\nAB\nCD\n");
  });

  it('imports modules across folders in a multi-file Python project', async () => {
    const result = await run({
      language: 'python',
      files: [
        { name: 'lib/util.py', content: 'def greet(n):\n    return f"hi {n}"\n' },
        {
          name: 'app/main.py',
          content: 'import sys\nsys.path.insert(0, ".")\nfrom lib.util import greet\nprint(greet("ann"))',
          toBeExec: true,
        },
      ],
    });
    expect(result.status).toBe('ok');
    expect(result.run.stdout).toBe('hi ann\n');
  });

  it('requires modules across folders in a multi-file JavaScript project', async () => {
    const result = await run({
      language: 'javascript',
      files: [
        {
          name: 'main.js',
          content: 'const { add } = require("./lib/math.js");\nconsole.log(add(2, 3));',
          toBeExec: true,
        },
        { name: 'lib/math.js', content: 'exports.add = (a, b) => a + b;' },
      ],
    });
    expect(result.run.stdout).toBe('5\n');
  });

  it('reports a non-zero exit as runtime_error with stderr', async () => {
    const result = await run(
      single('python', 'main.py', 'import sys\nprint("bye", file=sys.stderr)\nsys.exit(3)'),
    );
    expect(result.status).toBe('runtime_error');
    expect(result.run.exitCode).toBe(3);
    expect(result.run.stderr).toBe('bye\n');
  });

  it('kills a program that runs past its wall-clock limit', async () => {
    const limitMs = 1000;
    const result = await run(
      single('python', 'main.py', 'print("start", flush=True)\nwhile True: pass', {
        limits: { timeoutMs: limitMs },
      }),
    );
    expect(result.status).toBe('timeout');
    expect(result.run.stdout).toBe('start\n');
    expect(result.run.wallTimeMs).toBeGreaterThanOrEqual(limitMs * 0.9);
    expect(result.run.wallTimeMs).toBeLessThan(limitMs * 3);
  });

  it('stops a memory bomb with memory_limit', async () => {
    const code = 'chunks = []\nwhile True:\n    chunks.append(b"x" * (16 * 1024 * 1024))';
    const result = await run(single('python', 'main.py', code, { limits: { memoryMb: 64 } }));
    expect(result.status).toBe('memory_limit');
    expect(result.run.signal).toBe('SIGKILL');
  });

  it('stops an output flood with output_limit and truncates at the cap', async () => {
    const result = await run(
      single('python', 'main.py', 'while True: print("x" * 999)', { limits: { outputKb: 64 } }),
    );
    expect(result.status).toBe('output_limit');
    expect(result.run.stdoutTruncated).toBe(true);
    expect(result.run.stdout.length).toBe(64 * 1024);
  });

  it('caps the number of processes', async () => {
    const code = [
      'import os, sys, time',
      'n = 0',
      'try:',
      '    for i in range(1000):',
      '        if os.fork() == 0:',
      '            time.sleep(30); os._exit(0)',
      '        n += 1',
      'except OSError as e:',
      '    print("fork failed after", n, flush=True); sys.exit(3)',
      'print("forked", n)',
    ].join('\n');
    const result = await run(single('python', 'main.py', code));
    expect(result.status).toBe('runtime_error');
    expect(result.run.stdout).toMatch(/^fork failed after \d+\n$/);
    const forked = Number(/(\d+)/.exec(result.run.stdout)?.[1]);
    expect(forked).toBeLessThan(64);
    // The sleeping children were killed with the stage rather than kept for 30 s (or the run's whole limit).
    expect(result.run.wallTimeMs).toBeLessThan(loadConfig({}).RUN_DEFAULT_TIMEOUT_MS);
  });

  it('gives the program no network interface but loopback', async () => {
    const result = await run(
      single('python', 'main.py', 'import socket\nprint([n for _, n in socket.if_nameindex()])'),
    );
    expect(result.run.stdout).toBe("['lo']\n");
  });

  it('runs the program as an unprivileged uid on a read-only root', async () => {
    const code = [
      'import os',
      'print(os.getuid(), os.geteuid(), os.getgid(), os.getgroups())',
      'root = [l.split() for l in open("/proc/self/mounts") if l.split()[1] == "/"][0]',
      'print("ro" in root[3].split(","))',
      'try:',
      '    open("/etc/evil", "w")',
      'except OSError as e:',
      '    print("denied", e.errno)',
      'open("/work/ok.txt", "w").write("fine"); open("/tmp/ok.txt", "w").write("fine"); print("tmpfs writable")',
    ].join('\n');
    const result = await run(single('python', 'main.py', code));
    const lines = result.run.stdout.split('\n');
    // A runner uid of this container's own (RUNNER_UIDS), the same for uid, euid and gid; no supplementary group
    // but its own gid (Docker lists a numeric User's gid there under runc, where the agent itself is that uid).
    const [uid, euid, gid, groups] = lines[0]!.split(' ');
    expect(isRunnerUid(Number(uid))).toBe(true);
    expect([euid, gid]).toEqual([uid, uid]);
    expect(['[]', `[${uid}]`]).toContain(groups);
    expect(lines[1]).toBe('True');
    expect(lines[2]).toMatch(/^denied (13|30)$/);
    expect(lines[3]).toBe('tmpfs writable');
  });

  it('lets the program reopen its own stdio through /dev/stdin, /dev/stdout and /dev/stderr', async () => {
    const code = [
      'data = open("/dev/stdin").read()',
      'open("/dev/stdout", "w").write("out:" + data)',
      'open("/dev/stderr", "w").write("err")',
    ].join('\n');
    const result = await run(single('python', 'main.py', code, { stdin: 'piped' }));
    expect(result.status).toBe('ok');
    expect(result.run.stdout).toBe('out:piped');
    expect(result.run.stderr).toBe('err');
  });

  it('hides the server environment from the program', async () => {
    process.env.CODERUNNER_TEST_SECRET = 'do-not-leak';
    const result = await run(single('python', 'main.py', 'import os\nprint(sorted(os.environ))'));
    expect(result.run.stdout).not.toContain('CODERUNNER_TEST_SECRET');
    expect(result.run.stdout).toContain("'HOME'");
  });

  it('handles 20 concurrent runs', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        run(
          single(
            i % 2 ? 'python' : 'javascript',
            i % 2 ? 'a.py' : 'a.js',
            i % 2 ? `print(${i})` : `console.log(${i})`,
          ),
        ),
      ),
    );
    results.forEach((r, i) => {
      expect(r.status).toBe('ok');
      expect(r.run.stdout).toBe(`${i}\n`);
    });
  });

  it('lists the runtimes with versions read from the images', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/runtimes' });
    expect(res.statusCode).toBe(200);
    const runtimes = res.json<
      Array<{
        language: string;
        version: string;
        aliases: string[];
        extensions: string[];
      }>
    >();
    expect(runtimes.map((r) => r.language)).toEqual(['javascript', 'python']);
    for (const r of runtimes) expect(r.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(runtimes.find((r) => r.language === 'python')?.aliases).toContain('py');
  });

  it('reports healthy pools on /healthz', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.status).toBe('ok');
    expect(body.pools.map((p: { language: string }) => p.language).sort()).toEqual(['javascript', 'python']);
  });

  it('refills the pool after runs and leaves only warm containers behind', async () => {
    await server.pools.whenFull(30000);
    const warm = server.pools.stats().reduce((n, p) => n + p.ready, 0);
    expect(warm).toBe(4);
    // Used containers are removed in the background: give the last removals a moment (bounded).
    let containers = await containersOf(server.driver.instanceId);
    for (let i = 0; i < 50 && containers.length !== warm; i++) {
      await new Promise((r) => setTimeout(r, 100));
      containers = await containersOf(server.driver.instanceId);
    }
    expect(containers.length).toBe(warm);
    expect(containers.every((c) => c.State === 'running')).toBe(true);
  });
});
