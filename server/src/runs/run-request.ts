import {
  createRunRequestSchema,
  fileNameProblem,
  type RequestMaximums,
  type RunRequest,
} from '@coderunner/protocol';
import type { Config } from '../config/config.js';
import { createError } from '../errors/errors.js';

export { createRunRequestSchema, fileNameProblem };

/** Server limits that shape what a request may ask for. */
export type RequestLimitsConfig = Pick<Config, keyof RequestMaximums>;

export type RunRequestBody = RunRequest;

/** A validated project: files decoded, names checked, entry chosen. */
export interface ValidatedRun {
  body: RunRequestBody;
  files: Array<{ name: string; content: Buffer }>;
  entry: string;
  /** Each test's own files, decoded, in request order (empty without tests). */
  testFiles: Array<Array<{ name: string; content: Buffer }>>;
}

function decodeContent(file: { content: string; encoding?: 'utf8' | 'base64' | undefined }): Buffer | null {
  if (file.encoding !== 'base64') return Buffer.from(file.content, 'utf8');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.content) || file.content.length % 4 !== 0) return null;
  return Buffer.from(file.content, 'base64');
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/**
 * Validates a run request body beyond its shape: file names, duplicates, encodings and the entry file.
 * Throws a CodeRunnerError naming the first problem.
 */
export function validateRunRequest(
  raw: unknown,
  schema: ReturnType<typeof createRunRequestSchema>,
): ValidatedRun {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
    throw createError('CR_ERR_RUN_INVALID_REQUEST', `${where}${issue?.message ?? 'invalid'}`);
  }
  const body = parsed.data;
  const seen = new Set<string>();
  const folders = new Set<string>();
  const files: ValidatedRun['files'] = [];
  body.files.forEach((file, i) => {
    const problem = fileNameProblem(file.name);
    if (problem) throw createError('CR_ERR_RUN_BAD_FILE_NAME', [i, `"${file.name.slice(0, 80)}" ${problem}`]);
    if (seen.has(file.name)) throw createError('CR_ERR_RUN_DUPLICATE_FILE', [i, file.name]);
    seen.add(file.name);
    const parts = file.name.split('/');
    for (let depth = 1; depth < parts.length; depth++) folders.add(parts.slice(0, depth).join('/'));
    const content = decodeContent(file);
    if (!content) throw createError('CR_ERR_RUN_BAD_CONTENT', [i, 'base64']);
    files.push({ name: file.name, content });
  });
  for (const [i, file] of body.files.entries()) {
    if (folders.has(file.name)) {
      throw createError('CR_ERR_RUN_BAD_FILE_NAME', [
        i,
        `"${file.name}" is also used as a folder by another file`,
      ]);
    }
  }
  let entry: string;
  if (body.files.length === 1) {
    entry = body.files[0]!.name;
  } else {
    const marked = body.files.filter((f) => f.toBeExec === true).map((f) => f.name);
    if (marked.length === 0) throw createError('CR_ERR_RUN_NO_ENTRY');
    if (marked.length > 1) throw createError('CR_ERR_RUN_MANY_ENTRIES', marked.join(', '));
    entry = marked[0]!;
  }
  const testFiles = (body.tests ?? []).map((test, t) =>
    (test.files ?? []).map((file, i) => {
      const problem = fileNameProblem(file.name);
      if (problem)
        throw createError('CR_ERR_RUN_BAD_TEST_FILE', [t, i, `name "${file.name.slice(0, 80)}" ${problem}`]);
      const content = decodeContent(file);
      if (!content) throw createError('CR_ERR_RUN_BAD_TEST_FILE', [t, i, 'content is not valid base64']);
      return { name: file.name, content };
    }),
  );
  return { body, files, entry, testFiles };
}
