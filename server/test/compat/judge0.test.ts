import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../src/create-server.js';
import { callbackUrlProblem } from '../../src/compat/judge0/callback.js';
import { judgeOutput } from '../../src/compat/judge0/execute.js';
import { splitArguments, decimalString, encode64 } from '../../src/compat/judge0/submission.js';
import { startTestServer } from '../helpers.js';

// Judge0 CE 1.13 behaviour, from judge0/judge0 app/controllers/submissions_controller.rb, app/models/submission.rb,
// app/jobs/isolate_job.rb and app/helpers/config.rb. Real server, real Docker.

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | null) => (s === null ? null : Buffer.from(s, 'base64').toString());

let server: CodeRunnerServer;
let receiver: Server;
let receiverUrl = '';
const received: Array<{ method: string; body: string }> = [];

beforeAll(async () => {
  receiver = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', body });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  server = await startTestServer({
    LANGUAGES: 'python,c,bash',
    POOL_SIZE: '1',
    RUN_MAX_CONCURRENT: '2',
    RATE_LIMIT_PER_MINUTE: '0',
    JUDGE0_CALLBACKS_ALLOW_PRIVATE: 'true',
  });
});

afterAll(async () => {
  await server?.app.close();
  await new Promise<void>((r) => receiver.close(() => r()));
});

function post(url: string, payload: unknown) {
  return server.app.inject({ method: 'POST', url, payload: payload as object });
}
function get(url: string) {
  return server.app.inject({ method: 'GET', url });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Judge0's replies are read field by field
type Reply = Record<string, any>;

/** Polls GET /submissions/{token} until the status is past Processing, like the Judge0 IDE (bounded). */
async function poll(token: string, query = 'base64_encoded=true&fields=*'): Promise<Reply> {
  const until = Date.now() + 60000;
  for (let i = 0; i < 600 && Date.now() < until; i++) {
    const res = await get(`/judge0/submissions/${token}?${query}`);
    const body = res.json<Reply>();
    if (body.status.id > 2) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`submission ${token} did not finish in time`);
}

describe('Judge0 submissions (the IDE / SDK flow)', () => {
  it('creates with base64 and wait=false, then polls until the status is final', async () => {
    const res = await post('/judge0/submissions?base64_encoded=true&wait=false', {
      source_code: b64('import sys\nprint("hello", sys.stdin.read())'),
      language_id: 71,
      stdin: b64('judge0'),
    });
    expect(res.statusCode).toBe(201);
    expect(Object.keys(res.json())).toEqual(['token']);
    const done = await poll(res.json().token);
    expect(done.status).toEqual({ id: 3, description: 'Accepted' });
    expect(unb64(done.stdout)).toBe('hello judge0\n');
    expect(done.stdout).toMatch(/\n$/); // Ruby's encode64 ends every line with a newline
    expect(typeof done.time).toBe('string');
    expect(typeof done.wall_time).toBe('string');
    expect(Number.isInteger(done.memory)).toBe(true);
    expect(done.language).toEqual({ id: 71, name: expect.stringMatching(/^Python \(\d/) });
  });

  it('runs a batch of 20 and returns them all by token', async () => {
    const submissions = Array.from({ length: 20 }, (_, i) => ({
      source_code: `print(${i} * 2)`,
      language_id: 71,
    }));
    const res = await post('/judge0/submissions/batch?base64_encoded=false', { submissions });
    expect(res.statusCode).toBe(201);
    const tokens = res.json<Array<{ token: string }>>().map((t) => t.token);
    expect(tokens).toHaveLength(20);
    const until = Date.now() + 120000;
    let list: Reply[] = [];
    for (let i = 0; i < 1200 && Date.now() < until; i++) {
      const r = await get(`/judge0/submissions/batch?tokens=${tokens.join(',')}&base64_encoded=false`);
      list = r.json().submissions;
      if (list.every((s) => s.status.id > 2)) break;
      await new Promise((r2) => setTimeout(r2, 200));
    }
    expect(list.map((s) => s.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i * 2}\n`));
    expect(list.every((s) => s.status.id === 3)).toBe(true);
  });

  it.each([
    ['Accepted when expected_output matches after stripping', 'print("a  ")\nprint("b")', 'a\nb\n\n', 3],
    ['Wrong Answer when it does not', 'print("a")', 'b', 4],
  ])('judges expected_output: %s', async (_name, source, expected, status) => {
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true', {
      source_code: source,
      language_id: 71,
      expected_output: expected,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().status.id).toBe(status);
  });

  it('reports a compile error with compile_output and no run', async () => {
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true&fields=*', {
      source_code: 'int main() { return nope; }',
      language_id: 50,
    });
    const body = res.json();
    expect(body.status).toEqual({ id: 6, description: 'Compilation Error' });
    expect(body.compile_output).toMatch(/nope/);
    expect(body.stdout).toBeNull();
    expect(body.time).toBeNull();
  });

  it('reports Time Limit Exceeded past the wall-clock limit', async () => {
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true&fields=status,message', {
      source_code: 'import time; time.sleep(5)',
      language_id: 71,
      wall_time_limit: 1,
    });
    expect(res.json()).toEqual({
      status: { id: 5, description: 'Time Limit Exceeded' },
      message: 'Time limit exceeded (wall clock)',
    });
  });

  it.each([
    ['a non-zero exit is NZEC', 'import sys; sys.exit(3)', 11, 3, null],
    ['SIGSEGV is status 7', 'import os, signal; os.kill(os.getpid(), signal.SIGSEGV)', 7, 0, 11],
    ['SIGFPE is status 9', 'import os, signal; os.kill(os.getpid(), signal.SIGFPE)', 9, 0, 8],
    ['SIGABRT is status 10', 'import os; os.abort()', 10, 0, 6],
  ])('maps runtime errors as Judge0 does: %s', async (_n, source, status, exitCode, exitSignal) => {
    const res = await post(
      '/judge0/submissions?base64_encoded=false&wait=true&fields=status,exit_code,exit_signal',
      {
        source_code: source,
        language_id: 71,
      },
    );
    expect(res.json()).toEqual({
      status: expect.objectContaining({ id: status }),
      exit_code: exitCode,
      exit_signal: exitSignal,
    });
  });

  it('passes command_line_arguments split as bash would, with $&;<>|` removed', async () => {
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true', {
      source_code: 'import sys; print(sys.argv[1:])',
      language_id: 71,
      command_line_arguments: `one "two words" 'x;y' $HOME`,
    });
    expect(res.json().stdout).toBe("['one', 'two words', 'xy', 'HOME']\n");
  });

  it('interleaves stderr into stdout with redirect_stderr_to_stdout', async () => {
    // stdout and stderr are two pipes: their order is only defined when the program pauses between writes
    // to different streams, so it flushes and waits 50 ms each time it switches.
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true', {
      source_code: [
        'import sys, time',
        'print("a", flush=True)',
        'time.sleep(0.05)',
        'print("b", file=sys.stderr, flush=True)',
        'time.sleep(0.05)',
        'print("c", flush=True)',
      ].join('\n'),
      language_id: 71,
      redirect_stderr_to_stdout: true,
    });
    expect(res.json()).toMatchObject({ stdout: 'a\nb\nc\n', stderr: null });
  });

  it('runs a multi-file program (89) from a zip with compile and run scripts', async () => {
    const zip = zipSync({
      'compile.sh': strToU8('echo building\nprintf 42 > built.txt\n'),
      'run.sh': strToU8('cat built.txt; echo; cat data/in.txt\n'),
      'data/in.txt': strToU8('from the zip\n'),
    });
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true', {
      language_id: 89,
      additional_files: Buffer.from(zip).toString('base64'),
    });
    expect(res.json()).toMatchObject({
      status: { id: 3 },
      stdout: '42\nfrom the zip\n',
      compile_output: 'building\n',
      stderr: null,
    });
  });

  it('PUTs the finished submission to callback_url (base64, default fields)', async () => {
    received.length = 0;
    const res = await post('/judge0/submissions?base64_encoded=false', {
      source_code: 'print("called back")',
      language_id: 71,
      callback_url: receiverUrl,
    });
    const token = res.json().token as string;
    await poll(token);
    const until = Date.now() + 10000;
    while (received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(received[0]?.method).toBe('PUT');
    const body = JSON.parse(received[0]!.body);
    expect(Object.keys(body).sort()).toEqual([
      'compile_output',
      'memory',
      'message',
      'status',
      'stderr',
      'stdout',
      'time',
      'token',
    ]);
    expect(body.token).toBe(token);
    expect(unb64(body.stdout)).toBe('called back\n');
  });
});

describe("Judge0 limits (isolate_job.rb#run's isolate -t -x -w -k -p -m / --cg-mem)", () => {
  const FIELDS = 'fields=status,message,time,wall_time,stdout,stderr,exit_code,exit_signal';
  const run = (payload: Record<string, unknown>) =>
    post(`/judge0/submissions?base64_encoded=false&wait=true&${FIELDS}`, payload);

  it('ends a busy loop at its CPU limit, long before the wall limit (status 5, "Time limit exceeded")', async () => {
    const res = await run({
      source_code: 'while True: pass',
      language_id: 71,
      cpu_time_limit: 0.5,
      wall_time_limit: 5,
    });
    const body = res.json();
    expect(body).toMatchObject({ status: { id: 5 }, message: 'Time limit exceeded' });
    expect(Number(body.time)).toBeGreaterThanOrEqual(0.5);
    expect(Number(body.wall_time)).toBeLessThan(4);
  });

  it('lets a program that waits run past its CPU limit: only CPU time counts against cpu_time_limit', async () => {
    const res = await run({
      source_code: 'import time; time.sleep(1); print("awake")',
      language_id: 71,
      cpu_time_limit: 0.3,
      wall_time_limit: 3,
    });
    const body = res.json();
    expect(body).toMatchObject({
      status: { id: 3, description: 'Accepted' },
      stdout: 'awake\n',
      message: null,
    });
    expect(Number(body.time)).toBeLessThan(0.3);
    expect(Number(body.wall_time)).toBeGreaterThanOrEqual(1);
  });

  it('judges the CPU time after the run with enable_per_process_and_thread_time_limit (the wall clock stops it)', async () => {
    // Per process, isolate watches the box's main process (Judge0's bash run.sh), not the program it waits for.
    const res = await run({
      source_code: 'while True: pass',
      language_id: 71,
      cpu_time_limit: 0.5,
      wall_time_limit: 2,
      enable_per_process_and_thread_time_limit: true,
    });
    const body = res.json();
    expect(body).toMatchObject({ status: { id: 5 }, message: 'Time limit exceeded (wall clock)' });
    expect(Number(body.wall_time)).toBeGreaterThanOrEqual(2);
  });

  it('caps processes and threads with max_processes_and_or_threads (the main one included)', async () => {
    const res = await run({
      source_code: [
        '#include <signal.h>',
        '#include <stdio.h>',
        '#include <sys/wait.h>',
        '#include <unistd.h>',
        'int main(void) {',
        '  pid_t kids[64]; int n = 0;',
        '  for (int i = 0; i < 64; i++) {',
        '    pid_t p = fork();',
        '    if (p == 0) { pause(); _exit(0); }',
        '    if (p < 0) break;',
        '    kids[n++] = p;',
        '  }',
        '  printf("%d\\n", n);',
        '  for (int i = 0; i < n; i++) kill(kids[i], SIGKILL);',
        '  while (wait(NULL) > 0) {}',
        '  return 0;',
        '}',
      ].join('\n'),
      language_id: 50,
      max_processes_and_or_threads: 10,
    });
    expect(res.json()).toMatchObject({ status: { id: 3 }, stdout: '9\n' });
  });

  it('passes compiler_options to the compiler, split into words', async () => {
    const res = await run({
      source_code: '#include <stdio.h>\nint main(void) { printf("%d %s\\n", X, Y); return 0; }',
      language_id: 50,
      compiler_options: `-DX=42 '-DY="two words"'`,
    });
    expect(res.json()).toMatchObject({ status: { id: 3 }, stdout: '42 two words\n' });
  });

  // Each frame keeps its 1 KiB buffer alive across the call: about 4 MiB of stack in all.
  const deep = [
    '#include <stdio.h>',
    'int f(int n) {',
    '  volatile char buf[1024];',
    '  buf[0] = (char)n;',
    '  if (n == 0) return 0;',
    '  int r = f(n - 1);',
    '  buf[1] = (char)r;',
    '  return buf[0] + buf[1];',
    '}',
    'int main(void) { volatile int r = f(4000); (void)r; puts("done"); return 0; }',
  ].join('\n');

  it.each([
    ['a small stack_limit makes deep recursion fail (SIGSEGV)', 1024, { status: { id: 7 }, exit_signal: 11 }],
    ['the default stack_limit (64000 KB) holds it', undefined, { status: { id: 3 }, stdout: 'done\n' }],
  ])('%s', async (_name, stackLimit, expected) => {
    const res = await run({ source_code: deep, language_id: 50, stack_limit: stackLimit });
    expect(res.json()).toMatchObject(expected);
  });

  it.each([
    // -m: RLIMIT_AS per process, so the allocation fails inside the program (MemoryError, exit 1).
    ['with enable_per_process_and_thread_memory_limit it is an address-space limit', true, 11],
    // --cg-mem: the memory of the whole box; past it the program is killed (SIGKILL, Runtime Error (Other)).
    ['without it is the memory of the whole box', false, 12],
  ])('applies memory_limit: %s', async (_name, perProcess, status) => {
    const res = await run({
      source_code: 'x = bytearray(200 * 1024 * 1024)\nprint(len(x))',
      language_id: 71,
      memory_limit: 65536,
      enable_per_process_and_thread_memory_limit: perProcess,
    });
    expect(res.json().status.id).toBe(status);
  });
});

describe('Judge0 request errors (data-driven, from submission.rb and submissions_controller.rb)', () => {
  it.each([
    ['no source_code', { language_id: 71 }, { source_code: ["can't be blank"] }],
    ['no language_id', { source_code: 'x' }, { language_id: ["can't be blank"] }],
    [
      'an unknown language',
      { source_code: 'x', language_id: 999 },
      { language_id: ["language with id 999 doesn't exist"] },
    ],
    [
      'memory_limit under 2048',
      { source_code: 'x', language_id: 71, memory_limit: 100 },
      { memory_limit: ['must be greater than or equal to 2048'] },
    ],
    [
      'cpu_time_limit over the maximum',
      { source_code: 'x', language_id: 71, cpu_time_limit: 99 },
      { cpu_time_limit: ['must be less than or equal to 15.0'] },
    ],
    [
      'a non-numeric wall_time_limit',
      { source_code: 'x', language_id: 71, wall_time_limit: 'soon' },
      { wall_time_limit: ['is not a number'] },
    ],
    [
      'number_of_runs of 0',
      { source_code: 'x', language_id: 71, number_of_runs: 0 },
      { number_of_runs: ['must be greater than 0'] },
    ],
    [
      'compiler_options for a language without compile_cmd',
      { source_code: 'x', language_id: 71, compiler_options: '-O2' },
      { compiler_options: ['setting compiler options is only allowed for compiled languages'] },
    ],
    [
      'compiler_options for a multi-file program',
      { language_id: 89, additional_files: 'UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', compiler_options: '-O2' },
      { compiler_options: ['setting compiler options is only allowed for compiled languages'] },
    ],
    [
      'enable_network (not allowed here)',
      { source_code: 'x', language_id: 71, enable_network: true },
      { enable_network: ['enabling network is not allowed'] },
    ],
    [
      'source_code for a multi-file program',
      { source_code: 'x', language_id: 89 },
      { source_code: ['must be blank'], additional_files: ["can't be blank"] },
    ],
  ])('answers 422 for %s', async (_name, body, errors) => {
    const res = await post('/judge0/submissions?base64_encoded=false', body);
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual(errors);
  });

  it.each([
    [
      'GET',
      '/judge0/submissions/nope?fields=stdout,bogus,worse',
      400,
      { error: 'invalid fields: [bogus, worse]' },
    ],
    [
      'GET',
      '/judge0/submissions/00000000-0000-0000-0000-000000000000',
      404,
      { status: 404, error: 'Not Found' },
    ],
    [
      'GET',
      '/judge0/submissions/batch',
      400,
      { error: 'there should be at least one submission in a batch' },
    ],
    [
      'POST',
      '/judge0/submissions/batch',
      400,
      { error: 'there should be at least one submission in a batch' },
    ],
    ['GET', '/judge0/languages/12345', 404, { status: 404, error: 'Not Found' }],
  ])('%s %s answers %i', async (method, url, status, body) => {
    const res = await server.app.inject({
      method: method as 'GET',
      url,
      payload: method === 'POST' ? { submissions: [] } : undefined,
    });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual(body);
  });

  it('refuses a batch of 21', async () => {
    const submissions = Array.from({ length: 21 }, () => ({ source_code: 'x', language_id: 71 }));
    const res = await post('/judge0/submissions/batch', { submissions });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: 'number of submissions in a batch should be less than or equal to 20',
    });
  });

  it("answers 422 for a batch with no valid submission, listing each one's errors", async () => {
    const res = await post('/judge0/submissions/batch?base64_encoded=false', {
      submissions: [{ language_id: 71 }],
    });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual([{ source_code: ["can't be blank"] }]);
  });

  it('refuses output that is not UTF-8 without base64, and gives it with base64', async () => {
    const res = await post('/judge0/submissions?base64_encoded=false&wait=true', {
      source_code: 'import sys; sys.stdout.buffer.write(bytes([255, 254]))',
      language_id: 71,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({
      error:
        'some attributes for this submission cannot be converted to UTF-8, use base64_encoded=true query parameter',
      token: expect.any(String),
    });
    const again = await get(`/judge0/submissions/${res.json().token}?base64_encoded=true`);
    expect(Buffer.from(again.json().stdout, 'base64')).toEqual(Buffer.from([255, 254]));
  });
});

describe('Judge0 information routes', () => {
  it('lists the languages with Judge0 CE ids, and one in full', async () => {
    const list = (await get('/judge0/languages')).json<Array<{ id: number; name: string }>>();
    expect(list.map((l) => l.id)).toEqual([46, 50, 71, 89]);
    const python = (await get('/judge0/languages/71')).json();
    expect(python).toMatchObject({ id: 71, is_archived: false, source_file: 'script.py', compile_cmd: null });
  });

  it('lists the 14 statuses', async () => {
    const statuses = (await get('/judge0/statuses')).json<Array<{ id: number }>>();
    expect(statuses.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });

  it('returns every config_info key Judge0 1.13 returns (config.rb#config_info)', async () => {
    const info = (await get('/judge0/config_info')).json();
    expect(Object.keys(info)).toEqual([
      'maintenance_mode',
      'enable_wait_result',
      'enable_compiler_options',
      'allowed_languages_for_compile_options',
      'enable_command_line_arguments',
      'enable_submission_delete',
      'enable_callbacks',
      'callbacks_max_tries',
      'callbacks_timeout',
      'enable_additional_files',
      'max_queue_size',
      'cpu_time_limit',
      'max_cpu_time_limit',
      'cpu_extra_time',
      'max_cpu_extra_time',
      'wall_time_limit',
      'max_wall_time_limit',
      'memory_limit',
      'max_memory_limit',
      'stack_limit',
      'max_stack_limit',
      'max_processes_and_or_threads',
      'max_max_processes_and_or_threads',
      'enable_per_process_and_thread_time_limit',
      'allow_enable_per_process_and_thread_time_limit',
      'enable_per_process_and_thread_memory_limit',
      'allow_enable_per_process_and_thread_memory_limit',
      'max_file_size',
      'max_max_file_size',
      'number_of_runs',
      'max_number_of_runs',
      'redirect_stderr_to_stdout',
      'max_extract_size',
      'enable_batched_submissions',
      'max_submission_batch_size',
      'submission_cache_duration',
      'use_docs_as_homepage',
      'allow_enable_network',
      'enable_network',
      'disable_implicit_base64_encoding',
    ]);
    expect(info).toMatchObject({
      enable_compiler_options: true,
      allowed_languages_for_compile_options: [],
      enable_per_process_and_thread_time_limit: false,
      allow_enable_per_process_and_thread_time_limit: true,
      enable_per_process_and_thread_memory_limit: false,
      allow_enable_per_process_and_thread_memory_limit: true,
      allow_enable_network: false,
    });
    const about = (await get('/judge0/about')).json();
    expect(Object.keys(about)).toEqual(['version', 'homepage', 'source_code', 'maintainer']);
  });
});

describe('Judge0 pure rules', () => {
  it.each([
    ['hello', 'hello\n', 3],
    ['hello  \n\n', 'hello', 3],
    ['a\nb', 'a \nb\t\n', 3],
    ['a\n\nb', 'a\nb', 4],
    ['', null, 4], // "" is not nil, and strip(nil) is nil: Wrong Answer, as in Judge0
  ])('compares expected %j with stdout %j', (expected, stdout, status) => {
    expect(judgeOutput(Buffer.from(expected), stdout === null ? null : Buffer.from(stdout))).toBe(status);
  });

  it.each([
    ['a b  c', ['a', 'b', 'c']],
    [`"x y" 'z'`, ['x y', 'z']],
    ['a\\ b', ['a b']],
    ['x;rm -rf /|y', ['xrm', '-rf', '/y']],
  ])('splits arguments %j', (raw, args) => expect(splitArguments(raw)).toEqual(args));

  it.each([
    [5, '5.0'],
    [0.012, '0.012'],
    [null, null],
  ])('renders decimal %j as %j', (v, s) => expect(decimalString(v)).toBe(s));

  it('encodes base64 like Ruby encode64, 60 characters a line', () => {
    expect(encode64(Buffer.alloc(60, 97))).toMatch(/^[A-Za-z0-9+/]{60}\n[A-Za-z0-9+/=]{20}\n$/);
  });

  it.each([
    ['http://127.0.0.1:9/x', false, 'must not point at a loopback or private address'],
    ['http://10.1.2.3/x', false, 'must not point at a loopback or private address'],
    ['http://[::1]/x', false, 'must not point at a loopback or private address'],
    ['http://localhost/x', false, 'must not point at a loopback or private address'],
    ['ftp://203.0.113.9/x', false, 'must be an http or https URL'],
    ['http://127.0.0.1:9/x', true, null],
    ['http://8.8.8.8/x', false, null],
    ['http://[64:ff9b::a00:1]/x', false, 'must not point at a loopback or private address'],
  ])('checks callback_url %s (private allowed: %s)', (url, allow, problem) => {
    expect(callbackUrlProblem(url, allow)).toBe(problem);
  });
});
