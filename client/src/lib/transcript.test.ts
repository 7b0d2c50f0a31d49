import { describe, expect, it } from 'vitest';
import { appendChunk } from './transcript';

describe('the transcript', () => {
  it('merges text of the same stream and stage, and starts a chunk when either changes', () => {
    let chunks = appendChunk([], { stage: 'run', stream: 'stdout', text: 'a' });
    chunks = appendChunk(chunks, { stage: 'run', stream: 'stdout', text: 'b' });
    chunks = appendChunk(chunks, { stage: 'run', stream: 'stderr', text: 'c' });
    chunks = appendChunk(chunks, { stage: 'run', stream: 'stderr', text: '' });
    expect(chunks).toEqual([
      { stage: 'run', stream: 'stdout', text: 'ab' },
      { stage: 'run', stream: 'stderr', text: 'c' },
    ]);
  });
});
