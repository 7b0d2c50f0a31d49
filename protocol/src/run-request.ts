import { z } from 'zod';
import { runFileSchema } from './run-file.js';
import { checkerSchema, createTestCaseSchema, MAX_TESTS } from './test-cases.js';

export { runFileSchema, type RunFile } from './run-file.js';

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
/** Largest `limits.processes`; the container's pids limit applies as well, whichever is lower. */
export const MAX_PROCESSES = 4096;
/** Largest `limits.addressSpaceMb` (an address space is virtual: runtimes map far more than they touch). */
export const MAX_ADDRESS_SPACE_MB = 1024 * 1024;
/** Largest `limits.stackKb`. */
export const MAX_STACK_KB = 1024 * 1024;

const argsSchema = (name: string) =>
  z
    .array(
      z
        .string()
        .max(MAX_ARG_LENGTH)
        .refine((a) => !a.includes('\0'), { error: `${name} must not contain NUL` }),
    )
    .max(MAX_ARGS, { error: `${name} may hold at most ${MAX_ARGS} items` });

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
      /** CPU time of the run stage (all its processes); default: the wall limit. */
      cpuTimeMs: bounded('limits.cpuTimeMs', 100, c.RUN_MAX_TIMEOUT_MS).optional(),
      memoryMb: bounded('limits.memoryMb', 16, c.RUN_MAX_MEMORY_MB).optional(),
      /** RLIMIT_AS of the run stage: an allocation past it fails (MemoryError, NULL) instead of a kill. */
      addressSpaceMb: bounded('limits.addressSpaceMb', 16, MAX_ADDRESS_SPACE_MB).optional(),
      /** Processes and threads the program may have at once, its main process included. */
      processes: bounded('limits.processes', 1, MAX_PROCESSES).optional(),
      /** The main thread's stack. */
      stackKb: bounded('limits.stackKb', 64, MAX_STACK_KB).optional(),
      outputKb: bounded('limits.outputKb', 1, c.RUN_MAX_OUTPUT_KB).optional(),
      /** Past outputKb: `kill` ends the run (output_limit); `truncate` drops the rest and lets the program go on. */
      outputOverflow: z
        .enum(['kill', 'truncate'], { error: 'limits.outputOverflow must be "kill" or "truncate"' })
        .optional(),
      compile: z
        .object({
          timeoutMs: bounded('limits.compile.timeoutMs', 100, c.COMPILE_MAX_TIMEOUT_MS).optional(),
          cpuTimeMs: bounded('limits.compile.cpuTimeMs', 100, c.COMPILE_MAX_TIMEOUT_MS).optional(),
          memoryMb: bounded('limits.compile.memoryMb', 16, c.COMPILE_MAX_MEMORY_MB).optional(),
        })
        .strict()
        .optional(),
    })
    .strict();
}

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
      args: argsSchema('args').optional(),
      /** Extra compiler options, after the runtime's own (a later `-std=`, `-O` wins); compiled languages only. */
      compileArgs: argsSchema('compileArgs').optional(),
      /** Extra linker options, after the source files (`-lcrypt`); C and C++ only. */
      linkArgs: argsSchema('linkArgs').optional(),
      /** Extra interpreter options, before the entry file (`--use_strict`, `-W error`); interpreted languages only. */
      interpreterArgs: argsSchema('interpreterArgs').optional(),
      limits: limitsSchema(c).optional(),
      /** Test cases: compile once, then run the program once per test in the same container. */
      tests: z
        .array(createTestCaseSchema(c.RUN_MAX_TIMEOUT_MS, c.RUN_MAX_MEMORY_MB))
        .min(1, { error: 'tests must hold at least one test' })
        .max(MAX_TESTS, { error: `tests may hold at most ${MAX_TESTS} tests` })
        .optional(),
      /** Files to send back besides those under out/: globs on paths relative to the work dir (`*.png`). */
      outputs: z
        .array(
          z
            .string()
            .min(1)
            .max(256)
            .refine((g) => !g.includes('\0'), { error: 'outputs must not contain NUL' }),
        )
        .max(16, { error: 'outputs may hold at most 16 globs' })
        .optional(),
      /** The program that judges tests with `compare: "checker"`. */
      checker: checkerSchema.optional(),
      /** With tests: skip the rest after the first test that does not pass. */
      stopOnFirstFailure: z.boolean().optional(),
      /**
       * With `?wait=false` (or in a batch): where the run's record is POSTed when it ends, signed with
       * HMAC-SHA256 (X-CodeRunner-Signature). Loopback and private addresses are refused unless allowed.
       */
      callbackUrl: z
        .string()
        .max(2048, { error: 'callbackUrl must be at most 2048 characters' })
        .refine((u) => /^https?:\/\/[^\s/?#@]*@?[^\s/?#@]+([/?#][^\s]*)?$/i.test(u), {
          error: 'callbackUrl must be an absolute http:// or https:// URL',
        })
        .optional(),
    })
    .strict();
}

export type RunRequest = z.infer<ReturnType<typeof createRunRequestSchema>>;
