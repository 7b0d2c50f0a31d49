import { z } from 'zod';
import { runFileSchema } from './run-file.js';
import { outputFileSchema } from './output-files.js';

/** Most test cases one run may carry (each is a run stage in the same container; the agent takes 255). */
export const MAX_TESTS = 200;

/**
 * How a test's output is compared with `expectedOutput`:
 * - `exact`: byte for byte;
 * - `trim` (the default): trailing whitespace of each line and trailing blank lines ignored;
 * - `tokens`: whitespace-separated tokens equal (spacing and line breaks ignored);
 * - `float`: tokens equal, numbers within an absolute or relative tolerance (default 1e-6 each);
 * - `regex`: the whole output (final newline ignored) matches the expected output, an RE2 regular expression
 *   (linear-time: no backreferences or lookaround);
 * - `checker`: the request's `checker` program judges (exit 0 accepted, 1 wrong answer, its stdout the message).
 */
export const compareSchema = z.union([
  z.enum(['exact', 'trim', 'tokens', 'float', 'regex', 'checker']),
  z
    .object({
      type: z.literal('float'),
      absolute: z.number().nonnegative().optional(),
      relative: z.number().nonnegative().optional(),
    })
    .strict(),
]);
export type Compare = z.infer<typeof compareSchema>;

/** Every per-test limit is capped like the run's own (see limits in run-request.ts). */
export function createTestCaseSchema(maxTimeoutMs: number, maxMemoryMb: number) {
  return z
    .object({
      name: z.string().max(200).optional(),
      stdin: z.string().optional(),
      args: z.array(z.string().max(4096)).max(64).optional(),
      /** Files put in the work dir for this test only (over the run's own). */
      files: z.array(runFileSchema).max(100).optional(),
      /** Without it the test passes when the program ends normally (exit 0, no limit). */
      expectedOutput: z.string().optional(),
      compare: compareSchema.optional(),
      timeoutMs: z
        .number()
        .int()
        .min(100)
        .max(maxTimeoutMs, {
          error: `must be at most ${maxTimeoutMs} (the server maximum)`,
        })
        .optional(),
      memoryMb: z
        .number()
        .int()
        .min(16)
        .max(maxMemoryMb, { error: `must be at most ${maxMemoryMb} (the server maximum)` })
        .optional(),
      points: z.number().nonnegative().max(1e6).optional(),
      /** Report only the verdict and points: never the test's input, expected output or the program's output. */
      hidden: z.boolean().optional(),
    })
    .strict();
}
export type TestCase = z.infer<ReturnType<typeof createTestCaseSchema>>;

/**
 * A test's verdict; `skipped` after a failure with `stopOnFirstFailure`; `checker_error` when the teacher's
 * checker itself failed (did not compile, crashed, exited other than 0 or 1): not the student's fault.
 */
export const TEST_VERDICTS = [
  'passed',
  'wrong_answer',
  'timeout',
  'runtime_error',
  'memory_limit',
  'output_limit',
  'compile_error',
  'skipped',
  'checker_error',
] as const;
export const testVerdictSchema = z.enum(TEST_VERDICTS);
export type TestVerdict = z.infer<typeof testVerdictSchema>;

/** Where a wrong answer first differs (1-based line and column), with both sides' lines clipped. */
export const testDiffSchema = z.object({
  line: z.number().int(),
  column: z.number().int(),
  expected: z.string(),
  actual: z.string(),
});
export type TestDiff = z.infer<typeof testDiffSchema>;

/** One test's result, in request order. A hidden test has only name, verdict, points, hidden. */
export const testResultSchema = z.object({
  name: z.string(),
  verdict: testVerdictSchema,
  points: z.number(),
  hidden: z.boolean(),
  stdout: z.string().optional(),
  stderr: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  signal: z.string().nullable().optional(),
  wallTimeMs: z.number().optional(),
  cpuTimeMs: z.number().optional(),
  memoryKb: z.number().optional(),
  diff: testDiffSchema.optional(),
  message: z.string().optional(),
  /** Files this test's run left under out/ (never for a hidden test). */
  outputs: z.array(outputFileSchema).optional(),
  outputsTruncated: z.boolean().optional(),
});
export type TestResult = z.infer<typeof testResultSchema>;

export const testScoreSchema = z.object({
  passed: z.number().int(),
  total: z.number().int(),
  points: z.number(),
  maxPoints: z.number(),
});
export type TestScore = z.infer<typeof testScoreSchema>;

/**
 * A teacher's checker for tests with `compare: "checker"` (the Kattis/DMOJ convention): run once per such test
 * after the program, in its own container, as `<run command> [args...] input expected actual` (three file paths)
 * with the program's output also on its stdin; exit 0 accepts, 1 rejects, anything else is a checker error; what
 * it prints on stdout is the test's message.
 */
export const checkerSchema = z
  .object({
    language: z.string().min(1).max(64),
    files: z.array(runFileSchema).min(1, { error: 'checker.files must hold at least one file' }).max(20),
    args: z.array(z.string().max(4096)).max(16).optional(),
  })
  .strict();
export type Checker = z.infer<typeof checkerSchema>;
