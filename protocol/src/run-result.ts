import { z } from 'zod';
import { outputFileSchema } from './output-files.js';
import { testResultSchema, testScoreSchema } from './test-cases.js';

/** How a run ended, from the program's point of view (internal_error: the server's fault, never the program's). */
export const RUN_STATUSES = [
  'ok',
  'compile_error',
  'runtime_error',
  'timeout',
  'memory_limit',
  'output_limit',
  'internal_error',
] as const;
export const runStatusSchema = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof runStatusSchema>;

/** The names of a run's stages. */
export const stageNameSchema = z.enum(['compile', 'run']);
export type StageName = z.infer<typeof stageNameSchema>;

/** Why the agent ended a stage: none (it exited by itself) or the limit that stopped it. */
export const STAGE_LIMITS = ['none', 'wall', 'cpu', 'memory', 'output', 'file_size', 'killed'] as const;
export const stageLimitSchema = z.enum(STAGE_LIMITS);
export type StageLimit = z.infer<typeof stageLimitSchema>;

/** How one stage ended (the `stage-exit` frame and the stage results share these fields). */
export const stageReportSchema = z.object({
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  wallTimeMs: z.number(),
  cpuTimeMs: z.number(),
  memoryKb: z.number(),
  stdoutTruncated: z.boolean(),
  stderrTruncated: z.boolean(),
});
export type StageReport = z.infer<typeof stageReportSchema>;

/** What one stage (compile or run) produced, as the API returns it. */
export const stageResultSchema = stageReportSchema.extend({ stdout: z.string(), stderr: z.string() });
export type StageResult = z.infer<typeof stageResultSchema>;

/** Where a run's time went, in ms, per state of its life. */
export const runTimingsSchema = z.object({
  queueMs: z.number(),
  acquireMs: z.number(),
  executeMs: z.number(),
  totalMs: z.number(),
});
export type RunTimings = z.infer<typeof runTimingsSchema>;

/** The reply of `POST /api/v1/runs` and the body of the WebSocket `result` message. */
export const runResponseSchema = z.object({
  id: z.string(),
  language: z.string(),
  version: z.string(),
  status: runStatusSchema,
  compile: stageResultSchema.nullable(),
  run: stageResultSchema.nullable(),
  timings: runTimingsSchema,
  /** Files the run stage left under out/ (or matching `outputs`), capped in count and bytes. */
  outputs: z.array(outputFileSchema).optional(),
  /** Some files were left out by the caps (RUN_OUTPUT_FILES_MAX, RUN_OUTPUT_FILES_MAX_KB). */
  outputsTruncated: z.boolean().optional(),
  /** With test cases: one result per test, in request order (`run` is then null). */
  tests: z.array(testResultSchema).optional(),
  score: testScoreSchema.optional(),
  /** Present only with status internal_error: what failed on the server's side. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type RunResponse = z.infer<typeof runResponseSchema>;

/** Every error reply of the API. */
export const apiErrorSchema = z.object({ code: z.string(), message: z.string() });
export type ApiError = z.infer<typeof apiErrorSchema>;

/** One entry of `GET /api/v1/runtimes`. */
export const runtimeInfoSchema = z.object({
  language: z.string(),
  displayName: z.string(),
  version: z.string(),
  aliases: z.array(z.string()),
  extensions: z.array(z.string()),
  compiled: z.boolean(),
  /** The request fields for extra options this runtime takes: `compileArgs`, `linkArgs`, `interpreterArgs`. */
  extraArgs: z.array(z.enum(['compileArgs', 'linkArgs', 'interpreterArgs'])),
  /** Libraries a program can use (numpy, JUnit 5...), with the versions installed in the image. */
  libraries: z.array(z.object({ name: z.string(), version: z.string() })),
});
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;
