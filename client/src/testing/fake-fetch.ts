// A scripted fetch for unit tests: answers each call with the next reply and records what was asked.
import type { FetchLike } from '../lib/api/api-client';

export interface FetchCall {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | null;
}

export type FakeReply =
  { status: number; body?: unknown } | ((call: FetchCall) => { status: number; body?: unknown });

/** A fetch that answers with `replies` in turn (the last one repeats) and records every call in `calls`. */
export function fakeFetch(replies: FakeReply[]): { fetch: FetchLike; calls: FetchCall[] } {
  const calls: FetchCall[] = [];
  const fetch: FetchLike = (url, init) => {
    if (init.signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
    const call: FetchCall = {
      url,
      method: init.method ?? 'GET',
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? init.body : null,
    };
    calls.push(call);
    const next = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (!next) return Promise.reject(new TypeError('Failed to fetch'));
    const reply = typeof next === 'function' ? next(call) : next;
    const text =
      reply.body === undefined
        ? null
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body);
    return Promise.resolve(new Response(text, { status: reply.status }));
  };
  return { fetch, calls };
}

/** The header names of a call, lower-cased, with their values. */
export function headersOf(call: FetchCall | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(call?.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}
