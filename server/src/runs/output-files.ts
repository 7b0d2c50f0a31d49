import { extname } from 'node:path';
import type { OutputFile } from '@coderunner/protocol';

/** Media types by extension for the files a run sends back; anything else is application/octet-stream. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.md': 'text/markdown',
  '.xml': 'application/xml',
};

export function mediaTypeOf(name: string): string {
  return MEDIA_TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The files of one stage as the agent sends them (chunks, then a summary), capped again here: the agent is not
 * trusted to keep to the count and byte caps it was given.
 */
export class StageOutputs {
  private readonly done: Array<{ name: string; data: Buffer }> = [];
  private current: { name: string; chunks: Buffer[]; bytes: number } | null = null;
  private bytes = 0;
  private overflow = false;
  private agentTruncated = false;

  constructor(
    private readonly maxFiles: number,
    private readonly maxBytes: number,
  ) {}

  chunk(name: string, data: Buffer, last: boolean): void {
    if (this.current && this.current.name !== name) this.current = null; // a file whose last chunk never came
    if (!this.current) {
      if (this.done.length >= this.maxFiles) {
        this.overflow = true;
        return;
      }
      this.current = { name, chunks: [], bytes: 0 };
    }
    const file = this.current;
    if (this.bytes + file.bytes + data.length > this.maxBytes) {
      this.overflow = true;
      this.current = null;
      return;
    }
    file.chunks.push(Buffer.from(data));
    file.bytes += data.length;
    if (last) {
      this.done.push({ name, data: Buffer.concat(file.chunks) });
      this.bytes += file.bytes;
      this.current = null;
    }
  }

  summary(truncated: boolean): void {
    this.agentTruncated ||= truncated;
  }

  get truncated(): boolean {
    return this.overflow || this.agentTruncated;
  }

  files(): OutputFile[] {
    return this.done.map(({ name, data }) => ({
      name,
      size: data.length,
      mediaType: mediaTypeOf(name),
      content: data.toString('base64'),
    }));
  }
}
