import { describe, expect, it } from 'vitest';
import {
  decodeAgentFrame,
  encodeFrame,
  encodeRunRequest,
  encodeSignal,
  FrameDecoder,
} from './agent-protocol.js';

function exitPayload(fields: { exitCode: number; signal: number; limit: number; flags?: number }): Buffer {
  const p = Buffer.alloc(fields.flags === undefined ? 32 : 33);
  if (fields.flags !== undefined) p.writeUInt8(fields.flags, 32);
  p.writeUInt8(1, 0);
  p.writeInt32BE(fields.exitCode, 1);
  p.writeUInt32BE(fields.signal, 5);
  p.writeUInt32BE(12, 9);
  p.writeUInt32BE(7, 13);
  p.writeUInt32BE(9000, 17);
  p.writeUInt8(fields.limit, 21);
  p.writeUInt8(1, 22);
  p.writeUInt8(0, 23);
  p.writeBigUInt64BE(123n, 24);
  return p;
}

describe('agent protocol codec', () => {
  it('frames a payload with its type and big-endian length', () => {
    expect([...encodeFrame('C')]).toEqual([0x43, 0, 0, 0, 0]);
    expect([...encodeSignal(9)]).toEqual([0x4b, 0, 0, 0, 4, 0, 0, 0, 9]);
  });

  it('encodes a run request in the documented field order', () => {
    const frame = encodeRunRequest({
      files: [{ name: 'a.py', content: Buffer.from('hi'), executable: false }],
      stages: [
        {
          name: 'run',
          argv: ['python3', 'a.py'],
          env: ['HOME=/work'],
          wallMs: 5000,
          cpuMs: 5000,
          fileSizeBytes: 1024,
          outputBytes: 2048,
          attachStdin: true,
          pauseBefore: true,
          truncateOutput: true,
          addressSpaceBytes: 3 << 20,
          processes: 20,
          stackBytes: 1 << 20,
        },
      ],
      stdin: Buffer.from('in'),
      closeStdin: true,
    });
    expect(frame.toString('latin1', 0, 1)).toBe('R');
    const p = frame.subarray(5);
    expect(frame.readUInt32BE(1)).toBe(p.length);
    let o = 0;
    const u32 = () => {
      const v = p.readUInt32BE(o);
      o += 4;
      return v;
    };
    const str = () => {
      const n = u32();
      const s = p.toString('utf8', o, o + n);
      o += n;
      return s;
    };
    expect(u32()).toBe(3); // version
    expect(u32()).toBe(1); // files
    expect(str()).toBe('a.py');
    expect(str()).toBe('hi');
    expect(p.readUInt8(o++)).toBe(0);
    expect(u32()).toBe(1); // stages
    expect(str()).toBe('run');
    expect(u32()).toBe(2);
    expect([str(), str()]).toEqual(['python3', 'a.py']);
    expect(u32()).toBe(1);
    expect(str()).toBe('HOME=/work');
    expect([u32(), u32()]).toEqual([5000, 5000]);
    expect(p.readBigUInt64BE(o)).toBe(1024n);
    expect(p.readBigUInt64BE(o + 8)).toBe(2048n);
    o += 16;
    expect(u32()).toBe(7); // flags: stdin attached, pause before, truncate output
    expect(p.readBigUInt64BE(o)).toBe(3n << 20n);
    o += 8;
    expect(u32()).toBe(20);
    expect(p.readBigUInt64BE(o)).toBe(1n << 20n);
    o += 8;
    expect(u32()).toBe(0); // own stdin: none
    expect(u32()).toBe(0); // stage files: none
    expect(str()).toBe('in');
    expect(p.readUInt8(o++)).toBe(1);
    expect(u32()).toBe(0); // output globs
    expect(u32()).toBe(0); // max output files
    expect(p.readBigUInt64BE(o)).toBe(0n);
    o += 8;
    expect(o).toBe(p.length);
  });

  it('decodes a stage exit, mapping a signal death to a null exit code', () => {
    const killed = decodeAgentFrame('X'.charCodeAt(0), exitPayload({ exitCode: -1, signal: 9, limit: 3 }));
    expect(killed).toEqual({
      type: 'stage-exit',
      exit: {
        stage: 1,
        exitCode: null,
        signal: 9,
        wallTimeMs: 12,
        cpuTimeMs: 7,
        memoryKb: 9000,
        limit: 'memory',
        stdoutTruncated: true,
        stderrTruncated: false,
        outputBytes: 123,
        prestarted: false,
      },
    });
    const exited = decodeAgentFrame('X'.charCodeAt(0), exitPayload({ exitCode: 3, signal: 0, limit: 0 }));
    expect(
      exited.type === 'stage-exit' && [exited.exit.exitCode, exited.exit.signal, exited.exit.limit],
    ).toEqual([3, null, 'none']);
  });

  it("reads the stage exit's flags byte: run by the pre-started process, or not; absent from older agents", () => {
    const prestarted = (flags?: number) => {
      const event = decodeAgentFrame(
        'X'.charCodeAt(0),
        exitPayload({ exitCode: 0, signal: 0, limit: 0, flags }),
      );
      return event.type === 'stage-exit' && event.exit.prestarted;
    };
    expect([prestarted(1), prestarted(0), prestarted(undefined), prestarted(0xfe)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('reassembles frames split across chunks and keeps the remainder', () => {
    const bytes = Buffer.concat([
      encodeFrame('O', Buffer.from('hello')),
      encodeFrame('D'),
      encodeFrame('E', Buffer.from('x')),
    ]);
    const decoder = new FrameDecoder();
    const events = [];
    for (let i = 0; i < bytes.length; i += 3) events.push(...decoder.push(bytes.subarray(i, i + 3)));
    expect(events.map((e) => e.type)).toEqual(['stdout', 'done', 'stderr']);
    expect(events[0]?.type === 'stdout' && events[0].data.toString()).toBe('hello');
  });

  it('refuses an oversized or unknown frame instead of buffering it', () => {
    const header = Buffer.from([0x4f, 0x7f, 0xff, 0xff, 0xff]);
    expect(() => new FrameDecoder(1024).push(header)).toThrow(/exceeds/);
    expect(() => new FrameDecoder().push(encodeFrame('Z'))).toThrow(/unknown agent frame/);
  });
});
