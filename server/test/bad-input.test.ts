import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeRunnerServer } from '../src/create-server.js';
import { containersOf, postRun, startTestServer } from './helpers.js';

let server: CodeRunnerServer;

beforeAll(async () => {
  // Pool size 0: bad input must be refused before any container is touched.
  server = await startTestServer({ POOL_SIZE: '0', RUN_MAX_FILES: '20', RUN_MAX_BODY_KB: '64' });
});

afterAll(async () => {
  await server.app.close();
});

const hello = { name: 'main.py', content: 'print(1)' };

async function expectError(body: unknown, status: number, code: string, mentions?: string) {
  const res = await postRun(server.app, body);
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/json/);
  const json = res.json();
  expect(json.code).toBe(code);
  expect(typeof json.message).toBe('string');
  if (mentions) expect(json.message).toContain(mentions);
  return json;
}

describe('bad input gets a clear 4xx JSON error', () => {
  it('refuses malformed JSON', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: { 'content-type': 'application/json' },
      payload: '{"language": "python", files: [',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CR_ERR_HTTP_INVALID_JSON');
  });

  it('refuses an empty body', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('CR_ERR_HTTP_INVALID_JSON');
  });

  it('refuses a body that is not JSON', async () => {
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/v1/runs',
      headers: { 'content-type': 'text/plain' },
      payload: 'print(1)',
    });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('CR_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a JSON body that is not an object', async () => {
    await expectError([1, 2], 400, 'CR_ERR_RUN_INVALID_REQUEST');
  });

  it('refuses wrong types and names the field', async () => {
    await expectError({ language: 5, files: [hello] }, 400, 'CR_ERR_RUN_INVALID_REQUEST', 'language');
    await expectError(
      { language: 'python', files: [{ name: 'a.py', content: 7 }] },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'files[0].content',
    );
    await expectError(
      { language: 'python', files: [hello], stdin: ['x'] },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'stdin',
    );
    await expectError(
      { language: 'python', files: [hello], args: 'x' },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'args',
    );
  });

  it('refuses missing fields and unknown fields', async () => {
    await expectError({ files: [hello] }, 400, 'CR_ERR_RUN_INVALID_REQUEST', 'language');
    await expectError({ language: 'python' }, 400, 'CR_ERR_RUN_INVALID_REQUEST', 'files');
    await expectError({ language: 'python', files: [] }, 400, 'CR_ERR_RUN_INVALID_REQUEST', 'at least one');
    await expectError(
      { language: 'python', files: [hello], timeout: 5 },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'timeout',
    );
  });

  it('refuses an unknown language and an unknown version', async () => {
    await expectError({ language: 'cobol', files: [hello] }, 400, 'CR_ERR_RUN_UNKNOWN_LANGUAGE', 'cobol');
    await expectError(
      { language: 'python', version: '2.7', files: [hello] },
      400,
      'CR_ERR_RUN_UNKNOWN_VERSION',
      '2.7',
    );
  });

  it('refuses a project with no entry file or with several', async () => {
    const a = { name: 'a.py', content: '' };
    const b = { name: 'b.py', content: '' };
    await expectError({ language: 'python', files: [a, b] }, 400, 'CR_ERR_RUN_NO_ENTRY');
    await expectError(
      {
        language: 'python',
        files: [
          { ...a, toBeExec: true },
          { ...b, toBeExec: true },
        ],
      },
      400,
      'CR_ERR_RUN_MANY_ENTRIES',
      'a.py, b.py',
    );
  });

  it.each([
    ['/etc/passwd', 'absolute'],
    ['../escape.py', '".."'],
    ['lib/../../escape.py', '".."'],
    ['a\u0000b.py', 'NUL'],
    ['', 'empty'],
    ['lib//a.py', 'empty path segment'],
    ['./a.py', '"."'],
    ['lib\\a.py', 'backslash'],
    ['a\nb.py', 'control character'],
  ])('refuses the file name %j', async (name, why) => {
    await expectError(
      { language: 'python', files: [{ name, content: '' }] },
      400,
      'CR_ERR_RUN_BAD_FILE_NAME',
      why,
    );
  });

  it('refuses duplicate file names and a file that is also a folder', async () => {
    await expectError(
      { language: 'python', files: [{ ...hello, toBeExec: true }, hello] },
      400,
      'CR_ERR_RUN_DUPLICATE_FILE',
      'main.py',
    );
    await expectError(
      {
        language: 'python',
        files: [
          { name: 'lib', content: '', toBeExec: true },
          { name: 'lib/a.py', content: '' },
        ],
      },
      400,
      'CR_ERR_RUN_BAD_FILE_NAME',
      'folder',
    );
  });

  it('refuses too many files', async () => {
    const files = Array.from({ length: 21 }, (_, i) => ({
      name: `f${i}.py`,
      content: '',
      toBeExec: i === 0,
    }));
    await expectError({ language: 'python', files }, 400, 'CR_ERR_RUN_INVALID_REQUEST', 'at most 20');
  });

  it('refuses a body over the size cap with 413', async () => {
    await expectError(
      { language: 'python', files: [{ name: 'a.py', content: 'x'.repeat(70 * 1024) }] },
      413,
      'CR_ERR_HTTP_BODY_TOO_LARGE',
    );
  });

  it('refuses limits out of range and names the limit', async () => {
    await expectError(
      { language: 'python', files: [hello], limits: { timeoutMs: 10 ** 7 } },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'limits.timeoutMs',
    );
    await expectError(
      { language: 'python', files: [hello], limits: { memoryMb: 1 } },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'limits.memoryMb',
    );
    await expectError(
      { language: 'python', files: [hello], limits: { outputKb: 1.5 } },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'limits.outputKb',
    );
    await expectError(
      { language: 'python', files: [hello], limits: { cpu: 1 } },
      400,
      'CR_ERR_RUN_INVALID_REQUEST',
      'cpu',
    );
  });

  it('refuses content that is not valid base64 when it says it is', async () => {
    await expectError(
      { language: 'python', files: [{ name: 'a.py', content: '!!', encoding: 'base64' }] },
      400,
      'CR_ERR_RUN_BAD_CONTENT',
      'base64',
    );
  });

  it('answers an unknown route with a JSON 404', async () => {
    const res = await server.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 'CR_ERR_HTTP_NOT_FOUND', message: 'No route GET /api/v1/nope' });
  });

  it('started no container for any of it', async () => {
    expect(await containersOf(server.driver.instanceId)).toEqual([]);
  });
});
