import { decimalString, encode64, type Submission } from './submission.js';
import { statusOf } from './statuses.js';

/**
 * Every attribute a client may ask for with `fields` (SubmissionSerializer: Submission.column_names + status,
 * language - id), in column order, which is the order Judge0 renders them in.
 */
export const SUBMISSION_ATTRIBUTES = [
  'source_code',
  'language_id',
  'stdin',
  'expected_output',
  'stdout',
  'status_id',
  'created_at',
  'finished_at',
  'time',
  'memory',
  'stderr',
  'token',
  'number_of_runs',
  'cpu_time_limit',
  'cpu_extra_time',
  'wall_time_limit',
  'memory_limit',
  'stack_limit',
  'max_processes_and_or_threads',
  'enable_per_process_and_thread_time_limit',
  'enable_per_process_and_thread_memory_limit',
  'max_file_size',
  'compile_output',
  'exit_code',
  'exit_signal',
  'message',
  'wall_time',
  'compiler_options',
  'command_line_arguments',
  'redirect_stderr_to_stdout',
  'callback_url',
  'additional_files',
  'enable_network',
  'started_at',
  'queued_at',
  'updated_at',
  'queue_host',
  'execution_host',
  'status',
  'language',
] as const;

/** Fields::Submission#default_fields. */
export const DEFAULT_FIELDS = [
  'token',
  'time',
  'memory',
  'stdout',
  'stderr',
  'compile_output',
  'message',
  'status',
];

/** Fields::Base: `*` is every attribute, unknown names are errors, none given means the defaults. */
export function parseFields(raw: unknown): { fields: string[]; invalid: string[] } {
  const names = typeof raw === 'string' ? raw.split(',').filter((n) => n !== '') : [];
  if (names.includes('*')) return { fields: [...SUBMISSION_ATTRIBUTES], invalid: [] };
  const known = new Set<string>(SUBMISSION_ATTRIBUTES);
  const fields = names.filter((n) => known.has(n));
  const invalid = names.filter((n) => !known.has(n));
  return { fields: fields.length > 0 ? fields : DEFAULT_FIELDS, invalid };
}

/** Raised when base64_encoded=false and a text field is not UTF-8 (Encoding::UndefinedConversionError). */
export class NotUtf8Error extends Error {}

function textOf(data: Buffer | null, base64: boolean): string | null {
  if (data === null) return null;
  if (base64) return encode64(data);
  const decoded = data.toString('utf8');
  if (!Buffer.from(decoded, 'utf8').equals(data)) throw new NotUtf8Error('not UTF-8');
  return decoded;
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A submission as SubmissionSerializer renders it with these fields. Throws NotUtf8Error. */
export function serializeSubmission(
  s: Submission,
  fields: readonly string[],
  base64: boolean,
): Record<string, unknown> {
  const p = s.params;
  const value = (field: string): unknown => {
    switch (field) {
      case 'source_code':
        return textOf(p.sourceCode, base64);
      case 'language_id':
        return p.languageId;
      case 'stdin':
        return textOf(p.stdin, base64);
      case 'expected_output':
        return textOf(p.expectedOutput, base64);
      case 'stdout':
        return textOf(s.stdout, base64);
      case 'status_id':
        return s.statusId;
      case 'created_at':
        return iso(s.createdAt);
      case 'finished_at':
        return iso(s.finishedAt);
      case 'time':
        return decimalString(s.time);
      case 'memory':
        return s.memory;
      case 'stderr':
        return textOf(s.stderr, base64);
      case 'token':
        return s.token;
      case 'number_of_runs':
        return p.numberOfRuns;
      case 'cpu_time_limit':
        return decimalString(p.cpuTimeLimit);
      case 'cpu_extra_time':
        return decimalString(p.cpuExtraTime);
      case 'wall_time_limit':
        return decimalString(p.wallTimeLimit);
      case 'memory_limit':
        return p.memoryLimit;
      case 'stack_limit':
        return p.stackLimit;
      case 'max_processes_and_or_threads':
        return p.maxProcessesAndOrThreads;
      case 'enable_per_process_and_thread_time_limit':
        return p.enablePerProcessAndThreadTimeLimit;
      case 'enable_per_process_and_thread_memory_limit':
        return p.enablePerProcessAndThreadMemoryLimit;
      case 'max_file_size':
        return p.maxFileSize;
      case 'compile_output':
        return textOf(s.compileOutput, base64);
      case 'exit_code':
        return s.exitCode;
      case 'exit_signal':
        return s.exitSignal;
      // The serializer base64-encodes message too when asked.
      case 'message':
        return s.message === null ? null : base64 ? encode64(Buffer.from(s.message)) : s.message;
      case 'wall_time':
        return decimalString(s.wallTime);
      case 'compiler_options':
        return p.compilerOptions;
      case 'command_line_arguments':
        return p.commandLineArguments;
      case 'redirect_stderr_to_stdout':
        return p.redirectStderrToStdout;
      case 'callback_url':
        return p.callbackUrl;
      // Always base64, whatever base64_encoded says (SubmissionSerializer#additional_files).
      case 'additional_files':
        return p.additionalFiles ? encode64(p.additionalFiles) : null;
      case 'enable_network':
        return p.enableNetwork;
      case 'started_at':
        return iso(s.startedAt);
      case 'queued_at':
        return iso(s.queuedAt);
      case 'updated_at':
        return iso(s.updatedAt);
      case 'queue_host':
        return null;
      case 'execution_host':
        return null;
      case 'status':
        return statusOf(s.statusId);
      case 'language':
        return { id: s.language.id, name: s.language.name };
      default:
        return undefined;
    }
  };
  const out: Record<string, unknown> = {};
  for (const field of SUBMISSION_ATTRIBUTES) if (fields.includes(field)) out[field] = value(field);
  return out;
}
