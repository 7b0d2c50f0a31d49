import type { StageName } from '@coderunner/protocol';

/** stdout/stderr come from the program, stdin is what the student typed, note is said by the editor. */
export type TranscriptStream = 'stdout' | 'stderr' | 'stdin' | 'note';

/** A run of consecutive text of one stream in one stage; the console renders one span per chunk. */
export interface TranscriptChunk {
  stage: StageName;
  stream: TranscriptStream;
  text: string;
}

/** Appends text, merging it into the last chunk when stage and stream match (keeps the DOM small). */
export function appendChunk(chunks: readonly TranscriptChunk[], chunk: TranscriptChunk): TranscriptChunk[] {
  if (chunk.text === '') return chunks as TranscriptChunk[];
  const last = chunks.at(-1);
  if (last && last.stage === chunk.stage && last.stream === chunk.stream) {
    return [...chunks.slice(0, -1), { ...last, text: last.text + chunk.text }];
  }
  return [...chunks, chunk];
}
