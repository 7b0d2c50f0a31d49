import type { RunRecord } from './run-store.js';

/** What a client sees of a recorded run: GET /api/v1/runs/{id}, and the body POSTed to a run's callbackUrl. */
export function runView(record: RunRecord) {
  return {
    id: record.id,
    status: record.state,
    language: record.language,
    createdAt: new Date(record.createdAt).toISOString(),
    finishedAt: record.finishedAt === null ? null : new Date(record.finishedAt).toISOString(),
    request: record.request,
    result: record.result,
    error: record.error,
  };
}

export type RunView = ReturnType<typeof runView>;
