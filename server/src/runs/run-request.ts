import { z } from 'zod';
import type { Config } from '../config/config.js';
import { createError } from '../errors/errors.js';

/** Server limits that shape what a request may ask for. */
export type RequestLimitsConfig = Pick<
  Config,
  | 'RUN_MAX_TIMEOUT_MS'
  | 'RUN_MAX_MEMORY_MB'
  | 'RUN_MAX_OUTPUT_KB'
  | 'RUN_MAX_FILES'
  | 'COMPILE_MAX_TIMEOUT_MS'
  | 'COMPILE_MAX_MEMORY_MB'
>;

const MAX_NAME_LENGTH = 255;
const MAX_ARGS = 64;

function limitsSchema(c: RequestLimitsConfig) {
  const bounded = (name: string, min: number, max: number) =>
    z
      .number({ error: `${name} must be an integer` })
      .int({ error: `${name} must be an integer` })
      .min(min, { error: `${name} must be at least ${min}` })
      .max(max, { error: `${name} must be at most ${max} (the server maximum)` });
  return z
    .object({
      timeoutMs: bounded('limits.timeoutMs', 100, c.RUN_MAX_TIMEOUT_MS).optional(),
      memoryMb: bounded('limits.memoryMb', 16, c.RUN_MAX_MEMORY_MB).optional(),
      outputKb: bounded('limits.outputKb', 1, c.RUN_MAX_OUTPUT_KB).optional(),
      compile: z
        .object({
          timeoutMs: bounded('limits.compile.timeoutMs', 100, c.COMPILE_MAX_TIMEOUT_MS).optional(),
          memoryMb: bounded('limits.compile.memoryMb', 16, c.COMPILE_MAX_MEMORY_MB).optional(),
        })
        .strict()
        .optional(),
    })
    .strict();
}

/** The zod schema of `POST /api/v1/runs`, with maximums taken from the config. */
export function createRunRequestSchema(c: RequestLimitsConfig) {
  const file = z
    .object({
      name: z.string(),
      content: z.string(),
      encoding: z.enum(['utf8', 'base64']).optional(),
      toBeExec: z.boolean().optional(),
    })
    .strict();
  return z
    .object({
      language: z.string().min(1).max(64),
      version: z.string().min(1).max(64).optional(),
      files: z
        .array(file)
        .min(1, { error: 'files must hold at least one file' })
        .max(c.RUN_MAX_FILES, { error: `files may hold at most ${c.RUN_MAX_FILES} files` }),
      stdin: z.string().optional(),
      args: z
        .array(
          z
            .string()
            .max(4096)
            .refine((a) => !a.includes('\0'), { error: 'args must not contain NUL' }),
        )
        .max(MAX_ARGS, { error: `args may hold at most ${MAX_ARGS} items` })
        .optional(),
      limits: limitsSchema(c).optional(),
    })
    .strict();
}

export type RunRequestBody = z.infer<ReturnType<typeof createRunRequestSchema>>;

/** A validated project: files decoded, names checked, entry chosen. */
export interface ValidatedRun {
  body: RunRequestBody;
  files: Array<{ name: string; content: Buffer }>;
  entry: string;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

/** Why a file name is unsafe or unusable, or null when it is fine. */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > 1024) return 'is longer than 1024 characters';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character';
  if (name.includes('\\')) return 'contains a backslash; separate folders with /';
  if (name.startsWith('/')) return 'is absolute; names are relative to the project root';
  for (const part of name.split('/')) {
    if (part === '') return 'has an empty path segment';
    if (part === '.' || part === '..') return `contains a "${part}" segment`;
    if (part.length > MAX_NAME_LENGTH) return `has a segment longer than ${MAX_NAME_LENGTH} characters`;
  }
  return null;
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
    let content: Buffer;
    if (file.encoding === 'base64') {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.content) || file.content.length % 4 !== 0) {
        throw createError('CR_ERR_RUN_BAD_CONTENT', [i, 'base64']);
      }
      content = Buffer.from(file.content, 'base64');
    } else {
      content = Buffer.from(file.content, 'utf8');
    }
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
  return { body, files, entry };
}
