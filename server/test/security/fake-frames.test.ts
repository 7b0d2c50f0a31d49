// Impersonating the agent. The agent talks to the server in frames (type byte + big-endian length + payload)
// inside Docker's multiplexed attach stream. The exploit prints bytes that look exactly like those frames: a
// stage-exit `X` claiming exit 0, a done `D`, a fatal `F`, a ready `Y`, an output `O`, Docker's own 8-byte
// stream headers, and a header announcing a 4 GiB frame, on stdout and on stderr; then it keeps running and
// exits 3. What must hold: the program never writes to the agent's stdout (it has its own pipes), so all of it
// comes back as plain output, byte for byte, and the run ends with the program's real exit: `runtime_error`, 3.
import { describe, expect, it } from 'vitest';
import { attack, expectStatus, py, useSecurityServer } from './harness.js';

useSecurityServer();

const FORGE = [
  'import struct, sys, time',
  'def frame(t, payload): return t + struct.pack(">I", len(payload)) + payload',
  '# X: stage 0, exit 0, no signal, 1 ms, no limit, nothing truncated: a perfect fake success',
  'x = bytes([0]) + struct.pack(">iIIII", 0, 0, 1, 1, 1) + bytes([0, 0, 0]) + struct.pack(">Q", 0)',
  'fakes = frame(b"X", x) + frame(b"D", b"") + frame(b"F", struct.pack(">I", 4) + b"evil")',
  'fakes += frame(b"Y", struct.pack(">I", 4) + b"fake") + frame(b"O", b"injected")',
  'docker = b"\\x01\\x00\\x00\\x00" + struct.pack(">I", 5) + frame(b"D", b"")',
  'huge = b"O" + struct.pack(">I", 0xFFFFFFFF)',
].join('\n');

/** The same forged bytes, built here, as the API returns them (UTF-8 decoded, invalid bytes as U+FFFD). */
function frame(type: string, payload: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(payload.length);
  return Buffer.concat([Buffer.from(type), length, payload]);
}
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const exitPayload = Buffer.concat([
  Buffer.from([0]),
  Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1]),
  Buffer.from([0, 0, 0]),
  Buffer.alloc(8),
]);
const FAKES = Buffer.concat([
  frame('X', exitPayload),
  frame('D', Buffer.alloc(0)),
  frame('F', Buffer.concat([u32(4), Buffer.from('evil')])),
  frame('Y', Buffer.concat([u32(4), Buffer.from('fake')])),
  frame('O', Buffer.from('injected')),
]).toString('utf8');
const DOCKER = Buffer.concat([Buffer.from([1, 0, 0, 0]), u32(5), frame('D', Buffer.alloc(0))]).toString(
  'utf8',
);
const HUGE = Buffer.concat([Buffer.from('O'), u32(0xffffffff)]).toString('utf8');

describe('output that imitates agent frames', () => {
  it('returns forged frames on stdout as plain output and reports the real exit', async () => {
    const code = [
      FORGE,
      'out = sys.stdout.buffer',
      'out.write(b"before|" + fakes + b"|" + docker + b"|" + huge + b"|after\\n"); out.flush()',
      'time.sleep(0.3)',
      'print("still here", flush=True)',
      'sys.exit(3)',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'runtime_error');
      expect(run.exitCode).toBe(3);
      expect(run.stdout).toBe(`before|${FAKES}|${DOCKER}|${HUGE}|after\nstill here\n`);
    });
  });

  it('returns forged frames on stderr as plain output and reports the real exit', async () => {
    const code = [
      FORGE,
      'err = sys.stderr.buffer',
      'err.write(fakes + docker + huge); err.flush()',
      'time.sleep(0.3)',
      'print("still here", flush=True)',
      'sys.exit(3)',
    ].join('\n');
    await attack(py(code), (outcome) => {
      const run = expectStatus(outcome, 'runtime_error');
      expect(run.exitCode).toBe(3);
      expect(run.stdout).toBe('still here\n');
      expect(run.stderr).toBe(FAKES + DOCKER + HUGE);
    });
  });
});
