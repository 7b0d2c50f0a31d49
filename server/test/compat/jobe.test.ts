import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../../src/create-server.js';
import { startTestServer } from '../helpers.js';

// A Moodle-CodeRunner-style Jobe client over the real server and real containers. The cases come from Jobe's
// own tester (testsubmit.py in the jobe repository) and restapi.pdf; the ones our core cannot match yet are
// listed in docs/compat.md (## Jobe) instead of here.

const PREFIX = '/jobe/index.php/restapi';
const LANGS = 'python,c,cpp,java,javascript,php,pascal,octave';
let server: CodeRunnerServer;
let app: FastifyInstance;
let stateDir: string;

async function post(runSpec: Record<string, unknown>, prefix = PREFIX) {
  const res = await app.inject({ method: 'POST', url: `${prefix}/runs/`, payload: { run_spec: runSpec } });
  return { status: res.statusCode, body: res.json<Record<string, unknown> | string>() };
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'jobe-state-'));
  server = await startTestServer({ LANGUAGES: LANGS, POOL_SIZE: '1', STATE_DIR: stateDir });
  app = server.app;
}, 240000);

afterAll(async () => {
  await server?.app.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Jobe languages', () => {
  it('lists Jobe ids with the versions read from the images, at both prefixes', async () => {
    for (const url of [`${PREFIX}/languages`, '/restapi/languages/']) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      const list = res.json<Array<[string, string]>>();
      const ids = list.map(([id]) => id);
      for (const id of ['c', 'cpp', 'java', 'python3', 'nodejs', 'php', 'octave', 'pascal']) {
        expect(ids).toContain(id);
      }
      const python = list.find(([id]) => id === 'python3')!;
      const runtimes = (await app.inject({ method: 'GET', url: '/api/v1/runtimes' })).json<
        Array<{ language: string; version: string }>
      >();
      expect(python[1]).toBe(runtimes.find((r) => r.language === 'python')!.version);
    }
  });
});

interface Case {
  comment: string;
  spec: Record<string, unknown>;
  expect: Record<string, unknown>;
}

// testsubmit.py's pylint checker, which runs pylint on a student's answer from inside the program.
const PYLINT_CHECK = [
  '',
  'import subprocess',
  'import os',
  '',
  'def check_code(s):',
  '    try:',
  "        source = open('source.py', 'w')",
  '        source.write(__student_answer__)',
  '        source.close()',
  '        env = os.environ.copy()',
  "        os.mkdir('Home')",
  "        env['HOME'] = os.getcwd() + '/Home'",
  "        result = subprocess.check_output(['pylint', '--reports=no', 'source.py'],",
  '            universal_newlines=True, stderr=subprocess.STDOUT, env=env)',
  "        result = result.replace('Using config file /etc/pylintrc', '')",
  '    except Exception as e:',
  '        result = str(e)',
  '',
  "    lines = result.strip().split('\\n')",
  '    for line in lines:',
  "        if line.strip() and not line.startswith('Warning: option'):",
  '            print(line)',
  '            return False',
  '',
  '    return True',
  '',
  'if check_code(__student_answer__):',
  '    print("Yay!")',
  '',
].join('\n');
// The rejecting variant, as testsubmit.py's "Invalid Python3/pylint program" has it.
const PYLINT_REJECT = PYLINT_CHECK.replace(
  "        if line.strip() and not line.startswith('Warning: option'):\n            print(line)",
  "        if not line.startswith('Warning: option'):\n            print(\"pylint doesn't approve of your program\")",
);
const studentAnswer = (answer: string, check = PYLINT_CHECK) =>
  `__student_answer__ = '''${answer}'''\n${check}`;

// testsubmit.py's TEST_SET for our languages (expected outcome and, where it checks them, stdout/stderr).
const TESTSUBMIT: Case[] = [
  {
    comment: 'Valid Python3',
    spec: { language_id: 'python3', sourcecode: 'print("Hello world!")\n', sourcefilename: 'test.py' },
    expect: { outcome: 15, stdout: 'Hello world!\n' },
  },
  {
    comment: 'Python3 with stdin',
    spec: {
      language_id: 'python3',
      sourcecode: 'print(input())\nprint(input())\n',
      input: 'Line1\nLine2\n',
      sourcefilename: 'test.py',
    },
    expect: { outcome: 15, stdout: 'Line1\nLine2\n' },
  },
  {
    comment: 'Syntactically invalid Python3',
    spec: { language_id: 'python3', sourcecode: 'print("Hello world!"\n', sourcefilename: 'test.py' },
    expect: { outcome: 11 },
  },
  {
    comment: 'Python3 runtime error',
    spec: {
      language_id: 'python3',
      sourcecode: 'data = [1, 2]\nprint(data[2])\n',
      sourcefilename: 'test.py',
    },
    expect: { outcome: 12 },
  },
  {
    comment: 'Python3 file I/O',
    spec: {
      language_id: 'python3',
      sourcecode:
        "with open('testoutput.txt', 'w') as output:\n    output.write(\"One fish\\nTwo fish\\n\")\nwith open('testoutput.txt') as input:\n    print(input.read(), end='')\n",
      sourcefilename: 'test.py',
    },
    expect: { outcome: 15, stdout: 'One fish\nTwo fish\n' },
  },
  {
    comment: 'Interpreter args with Python3',
    spec: {
      language_id: 'python3',
      sourcecode: '\n',
      sourcefilename: 'test.py',
      parameters: { interpreterargs: ['-c "print(\\"Blah\\")"'] },
    },
    expect: { outcome: 15, stdout: 'Blah\n' },
  },
  {
    comment: 'Runargs with Python3',
    spec: {
      language_id: 'python3',
      sourcecode: '\nimport sys\nfor arg in sys.argv[1:]:\n    print(arg)\n',
      sourcefilename: 'test.py',
      parameters: { runargs: ['Arg1', 'Arg2'] },
    },
    expect: { outcome: 15, stdout: 'Arg1\nArg2\n' },
  },
  {
    comment: 'UTF-8 output from Python3',
    spec: { language_id: 'python3', sourcecode: 'print("Un rôle délétère")\n', sourcefilename: 'test.py' },
    expect: { outcome: 15, stdout: 'Un rôle délétère\n' },
  },
  {
    comment: 'Moodle file name __tester__.python3',
    spec: {
      language_id: 'python3',
      sourcecode: 'print("hi")\n',
      sourcefilename: '__tester__.python3',
      parameters: { memorylimit: 500000 },
    },
    expect: { outcome: 15, stdout: 'hi\n' },
  },
  {
    comment: 'Good C hello world',
    spec: {
      language_id: 'c',
      sourcecode: '#include <stdio.h>\nint main() {\n    printf("Hello world\\nIsn\'t this fun!\\n");\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 15, stdout: "Hello world\nIsn't this fun!\n" },
  },
  {
    comment: 'Compile error C',
    spec: {
      language_id: 'c',
      sourcecode: '#include <stdio.h>\nint main() {\n    printf("Hello world\\n")\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 11 },
  },
  {
    comment: 'Runtime error C (NULL dereference)',
    spec: {
      language_id: 'c',
      sourcecode: '#include <stdio.h>\nint main() {\n    char* s = NULL;\n    printf("%c", *s);\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 12 },
  },
  {
    comment: 'Time limit on C',
    spec: {
      language_id: 'c',
      sourcecode: 'int main() {\n    while(1) {};\n}\n',
      sourcefilename: 'prog.c',
      parameters: { cputime: 1 },
    },
    expect: { outcome: 13 },
  },
  {
    comment: 'Output limit on C (endless printer: 13)',
    spec: {
      language_id: 'c',
      sourcecode: '#include <stdio.h>\nint main() {\n    while(1) { printf("Hello"); };\n}\n',
      sourcefilename: 'prog.c',
      parameters: { cputime: 2 },
    },
    expect: { outcome: 13 },
  },
  {
    comment: 'Memory limit in C: a large malloc fails',
    spec: {
      language_id: 'c',
      sourcecode:
        '#include <stdio.h>\n#include <stdlib.h>\nint main() {\n    char* p = malloc(2000000000);\n    if (p == NULL) printf("Memory limit worked\\n"); else printf("Oh dear, the malloc worked");\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 15, stdout: 'Memory limit worked\n' },
  },
  {
    comment: 'Infinite recursion on C',
    spec: {
      language_id: 'c',
      sourcecode:
        'void silly(int i) { int j = i + 1; if (j != 0) silly(j); else silly(j + 1); }\nint main() { silly(3); }\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 12 },
  },
  {
    comment: 'C with non-UTF-8 output',
    spec: {
      language_id: 'c',
      sourcecode:
        '#include <stdio.h>\nint main() {\n    printf("Hello world\\n\\01\\006\\300\\311\\n");\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 15, stdout: 'Hello world\n\\x01\\x06\\xc0\\xc9\n' },
  },
  {
    comment: 'Syntactically valid Nodejs',
    spec: {
      language_id: 'nodejs',
      sourcecode: "console.log('Hello world!');\n",
      sourcefilename: 'test.js',
      parameters: { memorylimit: 1000000 },
    },
    expect: { outcome: 15, stdout: 'Hello world!\n' },
  },
  {
    comment: 'Syntactically invalid Nodejs',
    spec: {
      language_id: 'nodejs',
      sourcecode: "s = 'Hello world!\nconsole.log(s)\n",
      sourcefilename: 'test.js',
      parameters: { memorylimit: 1000000 },
    },
    expect: { outcome: 12 },
  },
  {
    comment: 'Moodle file name __tester__.nodejs',
    spec: { language_id: 'nodejs', sourcecode: "console.log('x');\n", sourcefilename: '__tester__.nodejs' },
    expect: { outcome: 15, stdout: 'x\n' },
  },
  {
    comment: 'Correct Php program',
    spec: {
      language_id: 'php',
      sourcecode: '<p><?php echo "A paragraph"; ?></p>\n',
      sourcefilename: 'test.php',
      parameters: { cputime: 15 },
    },
    expect: { outcome: 15, stdout: '<p>A paragraph</p>\n' },
  },
  {
    comment: 'Correct Java program',
    spec: {
      language_id: 'java',
      sourcecode:
        '\npublic class Test {\n    public static void main(String[] args) {\n        System.out.println("What a lot of code I need to write.");\n    }\n}\n',
      sourcefilename: 'Test.java',
      parameters: { cputime: 10 },
    },
    expect: { outcome: 15, stdout: 'What a lot of code I need to write.\n' },
  },
  {
    comment: 'Java without sourcefilename',
    spec: {
      language_id: 'java',
      sourcecode:
        '\npublic class Test {\n    public static void main(String[] args) {\n        System.out.println("Un rôle délétère");\n    }\n}\n',
      parameters: { cputime: 10 },
    },
    expect: { outcome: 15, stdout: 'Un rôle délétère\n' },
  },
  {
    comment: 'Syntactically incorrect Java',
    spec: {
      language_id: 'java',
      sourcecode:
        "\npublic class Test {\n    public static void main(String[] args) {\n        System.out.println('What a lot.);\n}\n",
      sourcefilename: 'Test.java',
      parameters: { cputime: 10 },
    },
    expect: { outcome: 11 },
  },
  {
    comment: 'Good C++ hello world',
    spec: {
      language_id: 'cpp',
      sourcecode:
        '#include <iostream>\nusing namespace std;\nint main() {\n    cout << "Hello world\\nIsn\'t this fun!\\n";\n}\n',
      sourcefilename: 'prog.cpp',
    },
    expect: { outcome: 15, stdout: "Hello world\nIsn't this fun!\n" },
  },
  {
    comment: 'C++ source sent as C',
    spec: {
      language_id: 'c',
      sourcecode: '#include <iostream>\nint main() {\n    cout << "Hello";\n}\n',
      sourcefilename: 'prog.c',
    },
    expect: { outcome: 11 },
  },
  {
    comment: 'Python3 program with customised timeout (10 s of CPU under cputime 15)',
    spec: {
      language_id: 'python3',
      sourcecode:
        'from time import perf_counter\nt = perf_counter()\nwhile perf_counter() < t + 10: pass\nprint("Hello Python")\n',
      sourcefilename: 'test.py',
      parameters: { cputime: 15 },
    },
    expect: { outcome: 15, stdout: 'Hello Python\n' },
  },
  {
    comment: 'Valid Python3/pylint program',
    spec: {
      language_id: 'python3',
      sourcecode: studentAnswer('"""Doc string"""\nGLOBAL = 20\nprint("GLOBAL =", GLOBAL)\n'),
      sourcefilename: 'prog.py',
      parameters: { memorylimit: 200000 },
    },
    expect: { outcome: 15, stdout: 'Yay!\n' },
  },
  {
    comment: 'Invalid Python3/pylint program (no docstring)',
    spec: {
      language_id: 'python3',
      sourcecode: studentAnswer(
        '# Alas no docstring\nGLOBAL = 20\nprint("GLOBAL =", GLOBAL)\n',
        PYLINT_REJECT,
      ),
      sourcefilename: 'prog.py',
      parameters: { memorylimit: 200000 },
    },
    expect: { outcome: 15, stdout: "pylint doesn't approve of your program\n" },
  },
  {
    comment: 'Use of compileargs with C (std=c89 replaces the defaults)',
    spec: {
      language_id: 'c',
      sourcecode:
        '#include <stdio.h>\nint main() {\n    printf("Hello world\\nIsn\'t this fun!\\n");\n    /* No return so shouldn\'t compile in ANSI C */\n}\n',
      sourcefilename: 'prog.c',
      parameters: { compileargs: ['std=c89'] },
    },
    expect: { outcome: 11 },
  },
  {
    comment: 'C program controlled forking (numprocs 20)',
    spec: {
      language_id: 'c',
      sourcecode: [
        '#include <linux/unistd.h>',
        '#include <unistd.h>',
        '#include <stdio.h>',
        'int main() {',
        '    int successes = 0, failures = 0;',
        '    for (int i = 0; i < 1000; i++) {',
        '        int pid = fork();',
        '        if (pid == -1) {',
        '            failures += 1;',
        '        }',
        '        else if (pid == 0) {',
        '            while (1) {};  // Child loops',
        '        }',
        '        else {',
        '            successes += 1;',
        '        }',
        '    }',
        '    if (successes > 5 && successes <= 20) {',
        '        printf("OK\\n");',
        '    } else {',
        '        printf("%d forks succeeded, %d failed\\n", successes, failures);',
        '    }',
        '}',
      ].join('\n'),
      sourcefilename: 'test.c',
      parameters: { numprocs: 20 },
    },
    expect: { outcome: 15, stdout: 'OK\n' },
  },
  {
    comment: 'Syntactically incorrect Php program (php -l: 11)',
    spec: {
      language_id: 'php',
      sourcecode:
        '<!DOCTYPE html>\n<html>\n<head></head>\n<body>\n<h1>Heading</h1>\n<p><?php echo "A paragraph\' ?></p>\n</body>\n</html>\n',
      sourcefilename: 'test.php',
      parameters: { cputime: 15 },
    },
    expect: { outcome: 11, cmpinfo: expect.stringContaining('PHP Parse error') },
  },
  {
    comment: 'Php sent as test.py (the first tester does so)',
    spec: {
      language_id: 'php',
      sourcecode: '<p><?php echo "A paragraph"; ?></p>\n',
      sourcefilename: 'test.py',
    },
    expect: { outcome: 15, stdout: '<p>A paragraph</p>\n' },
  },
  {
    comment: 'Java program with Unicode output',
    spec: {
      language_id: 'java',
      sourcecode:
        '\npublic class Test {\n    public static void main(String[] args) {\n        System.out.println("Un rôle délétère");\n    }\n}\n',
      sourcefilename: 'Test.java',
      parameters: { cputime: 10 },
    },
    expect: { outcome: 15, stdout: 'Un rôle délétère\n' },
  },
  {
    comment: 'Good Hello world Pascal',
    spec: {
      language_id: 'pascal',
      sourcecode: "begin\nwriteln('Hello world!');\nend.\n",
      sourcefilename: 'prog.pas',
    },
    expect: { outcome: 15, stdout: 'Hello world!\n' },
  },
  {
    comment: 'Fail Hello world Pascal',
    spec: {
      language_id: 'pascal',
      sourcecode: "begin\nwriteln('Hello world!);\nend.\n",
      sourcefilename: 'prog.pas',
    },
    expect: { outcome: 11 },
  },
  {
    comment: 'Valid Octave',
    spec: {
      language_id: 'octave',
      sourcecode:
        "_blah_ = 0;\nfunction sq = sqr(n)\n    sq = n * n;\nend\nfprintf('%d\\n%d\\n%d\\n', sqr(-3), sqr(11), sqr(0));\n",
      sourcefilename: 'jobe_test.m',
      parameters: { memorylimit: 200000 },
    },
    expect: { outcome: 15, stdout: '9\n121\n0\n' },
  },
  {
    comment: 'Syntactically invalid Octave (treated as runtime error)',
    spec: {
      language_id: 'octave',
      sourcecode: 's = "hi there\';\n',
      sourcefilename: 'jobe_test.m',
      parameters: { memorylimit: 200000 },
    },
    expect: { outcome: 12 },
  },
  {
    comment: 'Octave with stdin',
    spec: {
      language_id: 'octave',
      sourcecode: "fprintf('%s\\n%s\\n', input('', 's'), input('', 's'));\n",
      input: 'Line1\nLine2\n',
      sourcefilename: 'jobe_test.m',
      parameters: { memorylimit: 200000 },
    },
    expect: { outcome: 15, stdout: 'Line1\nLine2\n' },
  },
];

describe('Jobe runs: testsubmit.py cases', () => {
  it.each(TESTSUBMIT)(
    '$comment',
    async ({ spec, expect: wanted }) => {
      const { status, body } = await post(spec);
      expect(status).toBe(200);
      expect(body).toMatchObject(wanted);
    },
    60000,
  );
});

describe('Jobe parallel submissions', () => {
  // testsubmit.py's check_multiple_submissions: NUM_PARALLEL_SUBMITS (10) of the first C job at once.
  it('runs ten C submissions sent at once, each correctly', async () => {
    const spec = {
      language_id: 'c',
      sourcecode: '#include <stdio.h>\nint main() {\n    printf("Hello world\\nIsn\'t this fun!\\n");\n}\n',
      sourcefilename: 'prog.c',
    };
    const results = await Promise.all(Array.from({ length: 10 }, () => post(spec)));
    for (const { status, body } of results) {
      expect(status).toBe(200);
      expect(body).toMatchObject({ outcome: 15, stdout: "Hello world\nIsn't this fun!\n" });
    }
  }, 120000);
});

describe('Jobe outcomes and semantics', () => {
  const cases: Case[] = [
    {
      comment: 'stderr without failure is a runtime error (12)',
      spec: { language_id: 'python3', sourcecode: 'import sys\nsys.stderr.write("w")\n' },
      expect: { outcome: 12, stderr: 'w' },
    },
    {
      comment: 'a non-zero exit with empty stderr is success (15)',
      spec: { language_id: 'python3', sourcecode: 'import sys\nprint("x")\nsys.exit(3)\n' },
      expect: { outcome: 15, stdout: 'x\n' },
    },
    {
      comment: 'a time limit clears stderr (13)',
      spec: {
        language_id: 'python3',
        sourcecode: 'import sys\nsys.stderr.write("e")\nwhile True: pass\n',
        parameters: { cputime: 1 },
      },
      expect: { outcome: 13, stderr: '' },
    },
    {
      // Without memorylimit the address-space limit is Jobe's Python default (1000 MB), above the container's
      // memory (the runtime's 256 MB), so touching pages ends in the cgroup's OOM kill. With memorylimit both
      // limits are the same figure and RLIMIT_AS, which also counts untouched mappings, always comes first.
      comment: 'memory past the container limit (below the address-space limit) is outcome 17',
      spec: {
        language_id: 'python3',
        sourcecode:
          'b = []\nwhile True: b.append(bytearray(10**7)); b[-1][::4096] = b"x" * len(b[-1][::4096])\n',
      },
      expect: { outcome: 17, stderr: '' },
    },
    {
      comment: 'the same program under memorylimit hits the address-space limit first: MemoryError, 12',
      spec: {
        language_id: 'python3',
        sourcecode:
          'b = []\nwhile True: b.append(bytearray(10**7)); b[-1][::4096] = b"x" * len(b[-1][::4096])\n',
        parameters: { memorylimit: 64 },
      },
      expect: { outcome: 12, stderr: expect.stringContaining('MemoryError') },
    },
    {
      comment: 'a Python allocation beyond the address-space limit raises MemoryError',
      spec: {
        language_id: 'python3',
        sourcecode:
          'try:\n    x = bytearray(600 * 1000 * 1024)\n    print("allocated")\nexcept MemoryError:\n    print("MemoryError")\n',
        parameters: { memorylimit: 100 },
      },
      expect: { outcome: 15, stdout: 'MemoryError\n' },
    },
    {
      comment: 'output past streamsize is truncated and the run goes on',
      spec: {
        language_id: 'python3',
        sourcecode:
          'import sys\nsys.stdout.write("a" * 5000)\nsys.stdout.flush()\nprint("done", file=sys.stderr)\n',
        parameters: { streamsize: 0.001 },
      },
      expect: { outcome: 12, stdout: 'a'.repeat(1024), stderr: 'done\n' },
    },
    {
      comment: 'the language comes from language_id, not the extension',
      spec: { language_id: 'python3', sourcecode: 'print(1)\n', sourcefilename: 'x.c' },
      expect: { outcome: 15, stdout: '1\n' },
    },
  ];
  it.each(cases)(
    '$comment',
    async ({ spec, expect: wanted }) => {
      const { status, body } = await post(spec);
      expect(status).toBe(200);
      expect(body).toMatchObject(wanted);
      expect((body as { run_id: unknown }).run_id).toBeNull();
    },
    60000,
  );
});

describe('Jobe errors', () => {
  const c = { language_id: 'c', sourcecode: 'int main(){}', sourcefilename: 'test.c' };
  const cases: Array<{ comment: string; payload: unknown; status: number; text: string }> = [
    {
      comment: 'unknown language',
      payload: { run_spec: { language_id: 'cobol', sourcecode: 'x' } },
      status: 400,
      text: "Language 'cobol' is not known",
    },
    {
      comment: 'missing run_spec',
      payload: { spec: {} },
      status: 400,
      text: 'No run_spec attribute found in post data',
    },
    {
      comment: 'missing sourcecode',
      payload: { run_spec: { language_id: 'c' } },
      status: 400,
      text: "run_spec is missing the required attribute 'sourcecode'",
    },
    {
      comment: 'missing language_id',
      payload: { run_spec: { sourcecode: 'x' } },
      status: 400,
      text: "run_spec is missing the required attribute 'language_id'",
    },
    {
      comment: 'cputime over the maximum',
      payload: { run_spec: { ...c, parameters: { cputime: 151 } } },
      status: 400,
      text: 'cputime exceeds maximum allowed on this Jobe server (15 secs)',
    },
    {
      comment: 'illegal sourcefilename',
      payload: { run_spec: { ...c, sourcefilename: '../x.c' } },
      status: 400,
      text: 'The sourcefilename for the run_spec is illegal',
    },
    {
      comment: 'bad file specifier',
      payload: { run_spec: { ...c, file_list: [['short', 'f']] } },
      status: 400,
      text: 'Invalid file specifier: ["short","f"]',
    },
    {
      comment: 'missing file',
      payload: { run_spec: { ...c, file_list: [['abcdef0123456789', 'data.txt']] } },
      status: 404,
      text: 'One or more of the specified files is missing/unavailable',
    },
  ];
  it.each(cases)('answers $status for $comment', async ({ payload, status, text }) => {
    const res = await app.inject({ method: 'POST', url: `${PREFIX}/runs`, payload: payload as object });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toBe(text);
  });
});

describe('Jobe file cache: Moodle flow', () => {
  it('runs after 404, then PUT, then retry; HEAD reports the file', async () => {
    const contents = 'The first file\nLine 2';
    const id = createHash('md5').update(contents).digest('hex');
    const spec = {
      language_id: 'python3',
      sourcecode: "print(open('file1').read())\n",
      file_list: [[id, 'file1']],
    };
    expect((await post(spec)).status).toBe(404);
    expect((await app.inject({ method: 'HEAD', url: `${PREFIX}/files/${id}` })).statusCode).toBe(404);
    const put = await app.inject({
      method: 'PUT',
      url: `${PREFIX}/files/${id}`,
      payload: { file_contents: Buffer.from(contents).toString('base64') },
    });
    expect(put.statusCode).toBe(204);
    // Kept under STATE_DIR (a temporary folder here), not in the repository.
    expect(readFileSync(join(stateDir, 'jobe-files', id), 'utf8')).toBe(contents);
    expect((await app.inject({ method: 'HEAD', url: `/restapi/files/${id}` })).statusCode).toBe(204);
    const retry = await post(spec);
    expect(retry.body).toMatchObject({ outcome: 15, stdout: `${contents}\n` });
  }, 60000);

  it('refuses contents that are not base-64', async () => {
    const res = await app.inject({
      method: 'PUT',
      url: `${PREFIX}/files/abcdefgh1`,
      payload: { file_contents: '**' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toBe('put: contents of file abcdefgh1 are not valid base-64');
  });

  it('runs Java with a support class from the cache', async () => {
    const thing =
      'public class Thing {\n  public void printme() { System.out.println("Farewell cruel world"); }\n}\n';
    const id = createHash('md5').update(thing).digest('hex');
    await app.inject({
      method: 'PUT',
      url: `${PREFIX}/files/${id}`,
      payload: { file_contents: Buffer.from(thing).toString('base64') },
    });
    const { body } = await post({
      language_id: 'java',
      sourcecode:
        'public class Blah {\n  public static void main(String[] a) { new Thing().printme(); }\n}\n',
      file_list: [[id, 'Thing.java']],
      parameters: { cputime: 10 },
    });
    expect(body).toMatchObject({ outcome: 15, stdout: 'Farewell cruel world\n' });
  }, 60000);
});
