import { describe, expect, it } from 'vitest';
import { clientMessageSchema, parseServerMessage } from './ws.js';

describe('WebSocket messages', () => {
  it('parses every server message type and refuses malformed ones', () => {
    const exit = {
      type: 'stage-exit',
      stage: 'run',
      exitCode: 0,
      signal: null,
      wallTimeMs: 1,
      cpuTimeMs: 1,
      memoryKb: 1,
      stdoutTruncated: false,
      stderrTruncated: false,
      limit: 'none',
      outputBytes: 3,
    };
    expect(parseServerMessage(JSON.stringify(exit))).toEqual(exit);
    expect(parseServerMessage('{"type":"stdout","stage":"run","data":"hi"}')).toMatchObject({ data: 'hi' });
    expect(parseServerMessage('{"type":"stdout","stage":"run","data":3}')).toBeNull();
    expect(parseServerMessage('{"type":"stage","stage":"link"}')).toBeNull();
    expect(parseServerMessage('{"type":"nope"}')).toBeNull();
    expect(parseServerMessage('not json')).toBeNull();
    expect(parseServerMessage(42)).toBeNull();
  });

  it('refuses unknown client message fields and signals', () => {
    expect(clientMessageSchema.safeParse({ type: 'signal', signal: 'SIGINT' }).success).toBe(true);
    expect(clientMessageSchema.safeParse({ type: 'signal', signal: 'SIGSEGV' }).success).toBe(false);
    expect(clientMessageSchema.safeParse({ type: 'stop', extra: 1 }).success).toBe(false);
  });
});
