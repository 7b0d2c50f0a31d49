import {
  MAX_ARG_LENGTH,
  MAX_ARGS,
  type ClientMessage,
  type RunFile,
  type RunRequest,
  type TestCase,
} from '@coderunner/protocol';
import { effectiveEntry, type Project } from '../../lib/project/project';
import type { RunOptions } from '../../lib/run-options';
import { parseArgs } from './parse-args';

/** The WebSocket `run` message, its request typed (the protocol's schema leaves it to the server's maximums). */
export type RunMessage = Omit<Extract<ClientMessage, { type: 'run' }>, 'request'> & { request: RunRequest };

/** What makes a run a graded one: the test cases, and whether to skip the rest after the first failure. */
export interface TestRun {
  tests: readonly TestCase[];
  stopOnFirstFailure?: boolean;
}

/**
 * Turns the project and its run options into the WebSocket `run` message, or says why it cannot run. With
 * `testRun` the program runs once per test case (each with its own input: the up-front input is not sent, and
 * nothing can be typed); the time limit is each test's default.
 */
export function buildRunMessage(
  project: Project,
  options: RunOptions,
  testRun?: TestRun,
): { message: RunMessage } | { problem: string } {
  if (testRun && testRun.tests.length === 0) return { problem: 'there are no test cases: add one first' };
  if (project.files.length === 0) return { problem: 'the project has no files: add one in the file tree' };
  const entry = effectiveEntry(project);
  if (entry === null)
    return { problem: 'choose the file to run: select it and press "Run first" in the file tree' };
  const parsed = parseArgs(options.args);
  if ('problem' in parsed) return parsed;
  if (parsed.args.length > MAX_ARGS) return { problem: `at most ${MAX_ARGS} arguments are allowed` };
  if (parsed.args.some((a) => a.length > MAX_ARG_LENGTH))
    return { problem: `an argument may be at most ${MAX_ARG_LENGTH} characters long` };
  if (!(options.timeoutSeconds > 0))
    return { problem: 'the time limit must be a positive number of seconds' };
  const files: RunFile[] = project.files.map((f) => ({
    name: f.path,
    content: f.content,
    ...(f.encoding === 'base64' ? { encoding: 'base64' as const } : {}),
    ...(f.path === entry ? { toBeExec: true } : {}),
  }));
  const common = {
    language: project.language,
    files,
    ...(parsed.args.length === 0 ? {} : { args: parsed.args }),
    limits: { timeoutMs: Math.round(options.timeoutSeconds * 1000) },
  };
  if (testRun) {
    return {
      message: {
        type: 'run',
        request: {
          ...common,
          tests: [...testRun.tests],
          ...(testRun.stopOnFirstFailure ? { stopOnFirstFailure: true } : {}),
        },
        stdinOpen: false,
      },
    };
  }
  return {
    message: {
      type: 'run',
      request: { ...common, ...(options.stdin === '' ? {} : { stdin: options.stdin }) },
      // Typed input stays possible unless the student asked for end-of-file after the up-front input.
      stdinOpen: !(options.stdin !== '' && options.endInput),
    },
  };
}
