import { describe, expect, it } from 'vitest';
import { DockerStreamDemuxer } from './docker-stream.js';

function chunk(stream: number, text: string): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([header, Buffer.from(text)]);
}

describe('Docker stream demultiplexer', () => {
  it('splits stdout from stderr across arbitrary chunk boundaries', () => {
    const out: string[] = [];
    const err: string[] = [];
    const demuxer = new DockerStreamDemuxer(
      (c) => out.push(c.toString()),
      (c) => err.push(c.toString()),
    );
    const bytes = Buffer.concat([chunk(1, 'abc'), chunk(2, 'oops'), chunk(1, 'def')]);
    for (let i = 0; i < bytes.length; i += 5) demuxer.push(bytes.subarray(i, i + 5));
    expect(out.join('')).toBe('abcdef');
    expect(err.join('')).toBe('oops');
  });
});
