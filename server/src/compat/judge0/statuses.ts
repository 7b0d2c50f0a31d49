/** Judge0's statuses (judge0/judge0 app/enumerations/status.rb; 14 "Exec Format Error" since 1.9). */
export const STATUSES = [
  { id: 1, description: 'In Queue' },
  { id: 2, description: 'Processing' },
  { id: 3, description: 'Accepted' },
  { id: 4, description: 'Wrong Answer' },
  { id: 5, description: 'Time Limit Exceeded' },
  { id: 6, description: 'Compilation Error' },
  { id: 7, description: 'Runtime Error (SIGSEGV)' },
  { id: 8, description: 'Runtime Error (SIGXFSZ)' },
  { id: 9, description: 'Runtime Error (SIGFPE)' },
  { id: 10, description: 'Runtime Error (SIGABRT)' },
  { id: 11, description: 'Runtime Error (NZEC)' },
  { id: 12, description: 'Runtime Error (Other)' },
  { id: 13, description: 'Internal Error' },
  { id: 14, description: 'Exec Format Error' },
] as const;

export type StatusId = (typeof STATUSES)[number]['id'];

/** `{ id, description }` as Judge0's serializer renders a submission's status. */
export function statusOf(id: StatusId): { id: number; description: string } {
  const found = STATUSES.find((s) => s.id === id)!;
  return { id: found.id, description: found.description };
}

/** Status.find_runtime_error_by_status_code: the status of a program killed by `signal`. */
export function runtimeErrorBySignal(signal: number): StatusId {
  switch (signal) {
    case 11:
      return 7;
    case 25:
      return 8;
    case 8:
      return 9;
    case 6:
      return 10;
    default:
      return 12;
  }
}
