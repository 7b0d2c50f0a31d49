import { z } from 'zod';

/** The server maximums that shape what a run request may ask for (GET /api/v1/limits may publish them later). */
export interface RequestMaximums {
  RUN_MAX_TIMEOUT_MS: number;
  RUN_MAX_MEMORY_MB: number;
  RUN_MAX_OUTPUT_KB: number;
  RUN_MAX_FILES: number;
  COMPILE_MAX_TIMEOUT_MS: number;
  COMPILE_MAX_MEMORY_MB: number;
}

/** Most command-line arguments a run may pass to its program. */
export const MAX_ARGS = 64;
/** Longest single argument. */
export const MAX_ARG_LENGTH = 4096;

function limitsSchema(c: RequestMaximums) {
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

/** One file of a project as the API carries it. */
export const runFileSchema = z
  .object({
    name: z.string(),
    content: z.string(),
    encoding: z.enum(['utf8', 'base64']).optional(),
    toBeExec: z.boolean().optional(),
  })
  .strict();
export type RunFile = z.infer<typeof runFileSchema>;

/** The zod schema of `POST /api/v1/runs` (and of a WebSocket `run` message's request), bounded by `c`. */
export function createRunRequestSchema(c: RequestMaximums) {
  return z
    .object({
      language: z.string().min(1).max(64),
      version: z.string().min(1).max(64).optional(),
      files: z
        .array(runFileSchema)
        .min(1, { error: 'files must hold at least one file' })
        .max(c.RUN_MAX_FILES, { error: `files may hold at most ${c.RUN_MAX_FILES} files` }),
      stdin: z.string().optional(),
      args: z
        .array(
          z
            .string()
            .max(MAX_ARG_LENGTH)
            .refine((a) => !a.includes('\0'), { error: 'args must not contain NUL' }),
        )
        .max(MAX_ARGS, { error: `args may hold at most ${MAX_ARGS} items` })
        .optional(),
      limits: limitsSchema(c).optional(),
    })
    .strict();
}

export type RunRequest = z.infer<ReturnType<typeof createRunRequestSchema>>;
