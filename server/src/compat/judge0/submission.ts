import type { Judge0Language } from './languages.js';
import type { StatusId } from './statuses.js';

/**
 * Judge0's limits and switches as this server applies them (judge0/judge0 app/helpers/config.rb defaults,
 * capped by CodeRunner's own maximums where those are lower). GET /config_info returns exactly these keys.
 */
export interface Judge0Limits {
  cpuTimeLimit: number;
  maxCpuTimeLimit: number;
  cpuExtraTime: number;
  maxCpuExtraTime: number;
  wallTimeLimit: number;
  maxWallTimeLimit: number;
  memoryLimit: number;
  maxMemoryLimit: number;
  stackLimit: number;
  maxStackLimit: number;
  maxProcesses: number;
  maxMaxProcesses: number;
  maxFileSize: number;
  maxMaxFileSize: number;
  numberOfRuns: number;
  maxNumberOfRuns: number;
  maxExtractSize: number;
  maxBatchSize: number;
  maxQueueSize: number;
  callbacksMaxTries: number;
  callbacksTimeout: number;
}

/** A submission's inputs after Judge0's defaults (Submission#set_defaults). */
export interface SubmissionParams {
  sourceCode: Buffer | null;
  languageId: number;
  stdin: Buffer | null;
  expectedOutput: Buffer | null;
  compilerOptions: string | null;
  commandLineArguments: string | null;
  numberOfRuns: number;
  cpuTimeLimit: number;
  cpuExtraTime: number;
  wallTimeLimit: number;
  memoryLimit: number;
  /** memory_limit was given: otherwise the runtime's own default applies (see docs/compat.md). */
  memoryLimitGiven: boolean;
  stackLimit: number;
  maxProcessesAndOrThreads: number;
  enablePerProcessAndThreadTimeLimit: boolean;
  enablePerProcessAndThreadMemoryLimit: boolean;
  maxFileSize: number;
  redirectStderrToStdout: boolean;
  callbackUrl: string | null;
  additionalFiles: Buffer | null;
  enableNetwork: boolean;
}

/** What one run gave, in Judge0's terms (isolate_job.rb#compile, #run, #verify). */
export interface Judge0Outcome {
  statusId: StatusId;
  stdout: Buffer | null;
  stderr: Buffer | null;
  compileOutput: Buffer | null;
  message: string | null;
  exitCode: number | null;
  exitSignal: number | null;
  time: number | null;
  wallTime: number | null;
  memory: number | null;
}

/** One stored submission: inputs, state and result. */
export interface Submission extends Judge0Outcome {
  token: string;
  params: SubmissionParams;
  language: Judge0Language;
  createdAt: Date;
  queuedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  updatedAt: Date;
}

/** Rails' `errors` as JSON: attribute -> messages, in validation order (422 body). */
export type FieldErrors = Record<string, string[]>;

/** Ruby's Base64.decode64: lenient, ignores characters outside the alphabet. */
export function decode64(value: string): Buffer {
  return Buffer.from(value.replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
}

/** Ruby's Base64.encode64: RFC 2045, a newline after every 60 characters and at the end. */
export function encode64(data: Buffer): string {
  const flat = data.toString('base64');
  if (flat === '') return '';
  return (flat.match(/.{1,60}/g) ?? []).map((line) => `${line}\n`).join('');
}

/** A Rails decimal as JSON renders it (BigDecimal#to_s): "5.0", "0.012". */
export function decimalString(value: number | null): string | null {
  if (value === null) return null;
  const rounded = Math.round(value * 1000) / 1000;
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

/** Rails boolean casting (ActiveModel::Type::Boolean): these spellings are false, any other value true. */
function castBoolean(value: unknown): boolean | null {
  if (value === null || value === undefined || value === '') return null;
  return !['false', 'f', '0', 'off', 'FALSE', 'F', 'OFF', 0, false].includes(value as never);
}

function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Rails numericality: the raw value must look like a number. */
function asNumber(value: unknown): number | 'nan' | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : 'nan';
  if (typeof value === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(value))
    return Number(value);
  return 'nan';
}

/** Renders a bound as Rails' numericality message does: floats keep ".0". */
function bound(value: number, float: boolean): string {
  return float && Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  // A number or boolean as its text; an object or array as its JSON (never "[object Object]").
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}

export interface ParseContext {
  base64: boolean;
  languages: ReadonlyMap<number, Judge0Language>;
  limits: Judge0Limits;
}

/**
 * Validates one submission body as Judge0's Submission model does (judge0/judge0 app/models/submission.rb and
 * submissions_controller.rb#submission_params): the same defaults, the same messages. Returns the params and
 * language, or the field errors of a 422.
 */
export function parseSubmission(
  raw: unknown,
  ctx: ParseContext,
): { params: SubmissionParams; language: Judge0Language } | { errors: FieldErrors } {
  const body = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const errors: FieldErrors = {};
  const add = (field: string, message: string): void => {
    (errors[field] ??= []).push(message);
  };
  const L = ctx.limits;
  const blob = (field: string): Buffer | null => {
    const value = text(body[field]);
    if (value === null) return null;
    return ctx.base64 ? decode64(value) : Buffer.from(value, 'utf8');
  };

  const languageId = asNumber(body.language_id);
  const language =
    typeof languageId === 'number' && Number.isInteger(languageId)
      ? ctx.languages.get(languageId)
      : undefined;
  const isProject = language?.isProject ?? false;
  const sourceCode = blob('source_code');
  const additionalText = text(body.additional_files);
  const additionalFiles = additionalText === null ? null : decode64(additionalText);

  if (isProject) {
    if (sourceCode !== null && sourceCode.length > 0) add('source_code', 'must be blank');
    if (!additionalFiles || additionalFiles.length === 0) add('additional_files', "can't be blank");
  } else if (sourceCode === null || sourceCode.toString('latin1').trim() === '') {
    add('source_code', "can't be blank");
  }
  if (languageId === null) add('language_id', "can't be blank");

  const numeric = (
    field: string,
    fallback: number,
    min: number,
    minInclusive: boolean,
    max: number,
    float: boolean,
  ): number => {
    const value = asNumber(body[field]);
    if (value === null) return fallback;
    if (value === 'nan') {
      add(field, 'is not a number');
      return fallback;
    }
    if (minInclusive ? value < min : value <= min)
      add(field, `must be greater than${minInclusive ? ' or equal to' : ''} ${bound(min, float)}`);
    else if (value > max) add(field, `must be less than or equal to ${bound(max, float)}`);
    return value;
  };
  const numberOfRuns = numeric('number_of_runs', L.numberOfRuns, 0, false, L.maxNumberOfRuns, false);
  const cpuTimeLimit = numeric('cpu_time_limit', L.cpuTimeLimit, 0, true, L.maxCpuTimeLimit, true);
  const cpuExtraTime = numeric('cpu_extra_time', L.cpuExtraTime, 0, true, L.maxCpuExtraTime, true);
  const wallTimeLimit = numeric('wall_time_limit', L.wallTimeLimit, 1, true, L.maxWallTimeLimit, true);
  const memoryLimit = numeric('memory_limit', L.memoryLimit, 2048, true, L.maxMemoryLimit, false);
  const stackLimit = numeric('stack_limit', L.stackLimit, 0, true, L.maxStackLimit, false);
  const maxProcesses = numeric(
    'max_processes_and_or_threads',
    L.maxProcesses,
    0,
    false,
    L.maxMaxProcesses,
    false,
  );
  // ENABLE_PER_PROCESS_AND_THREAD_* default to false and ALLOW_ENABLE_* to true, as in Judge0: both can be
  // enabled (execute.ts#runBodyOf applies them as isolate does).
  const perProcessTime = castBoolean(body.enable_per_process_and_thread_time_limit) ?? false;
  const perProcessMemory = castBoolean(body.enable_per_process_and_thread_memory_limit) ?? false;
  const maxFileSize = numeric('max_file_size', L.maxFileSize, 0, true, L.maxMaxFileSize, false);
  const compilerOptions = text(body.compiler_options);
  const commandLineArguments = text(body.command_line_arguments);
  if (compilerOptions !== null && compilerOptions.length > 512)
    add('compiler_options', 'is too long (maximum is 512 characters)');
  if (commandLineArguments !== null && commandLineArguments.length > 512)
    add('command_line_arguments', 'is too long (maximum is 512 characters)');

  // validate :language_existence, :compiler_options_allowed, ... in Judge0's order.
  if (languageId !== null && !language)
    add('language_id', `language with id ${String(body.language_id)} doesn't exist`);
  // ENABLE_COMPILER_OPTIONS is true and ALLOWED_LANGUAGES_FOR_COMPILER_OPTIONS empty (Judge0's defaults); a
  // language whose compile command has no place for them counts as one without compile_cmd.
  if (!isBlank(compilerOptions) && language && !language.compilerOptions)
    add('compiler_options', 'setting compiler options is only allowed for compiled languages');
  const callbackUrl = text(body.callback_url);
  const enableNetwork = castBoolean(body.enable_network) ?? false;
  // ALLOW_ENABLE_NETWORK is false: sandboxes never have a network.
  if (enableNetwork) add('enable_network', 'enabling network is not allowed');

  if (Object.keys(errors).length > 0 || !language) return { errors };
  return {
    language,
    params: {
      sourceCode: isProject ? null : sourceCode,
      languageId: language.id,
      stdin: blob('stdin'),
      expectedOutput: blob('expected_output'),
      compilerOptions,
      commandLineArguments,
      numberOfRuns,
      cpuTimeLimit,
      cpuExtraTime,
      wallTimeLimit,
      memoryLimit,
      memoryLimitGiven: asNumber(body.memory_limit) !== null,
      stackLimit,
      maxProcessesAndOrThreads: maxProcesses,
      enablePerProcessAndThreadTimeLimit: perProcessTime,
      enablePerProcessAndThreadMemoryLimit: perProcessMemory,
      maxFileSize,
      redirectStderrToStdout: castBoolean(body.redirect_stderr_to_stdout) ?? false,
      callbackUrl: isBlank(callbackUrl) ? null : callbackUrl,
      additionalFiles: additionalFiles && additionalFiles.length > 0 ? additionalFiles : null,
      enableNetwork,
    },
  };
}

/**
 * Splits command_line_arguments (isolate_job.rb#run) or compiler_options (#compile) as the bash script Judge0
 * writes them into would: `$&;<>|` and backquotes are removed first, then words split on blanks with single
 * quotes, double quotes and backslashes.
 */
export function splitArguments(raw: string | null): string[] {
  if (raw === null) return [];
  const line = raw.trim().replace(/[$&;<>|`]/g, '');
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < line.length && '"\\'.includes(line[i + 1]!)) current += line[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (inWord) args.push(current);
  return args;
}
