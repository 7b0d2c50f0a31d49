/**
 * Demultiplexer for Docker's attach stream when the container has no TTY: each chunk is wrapped in an
 * 8-byte header (stream type u8, 3 zero bytes, length u32 BE). Stream 1 is stdout, 2 is stderr.
 */
export class DockerStreamDemuxer {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {}

  /** Feeds raw bytes from the hijacked connection. */
  push(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    let offset = 0;
    while (this.buffer.length - offset >= 8) {
      const stream = this.buffer.readUInt8(offset);
      const length = this.buffer.readUInt32BE(offset + 4);
      if (this.buffer.length - offset - 8 < length) break;
      const payload = this.buffer.subarray(offset + 8, offset + 8 + length);
      if (stream === 2) this.onStderr(payload);
      else this.onStdout(payload);
      offset += 8 + length;
    }
    this.buffer = offset === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(offset);
  }
}
