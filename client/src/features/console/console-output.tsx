import { useLayoutEffect, useRef } from 'react';
import type { TranscriptChunk, TranscriptStream } from '../../lib/transcript';
import './console.css';

interface ConsoleOutputProps {
  chunks: readonly TranscriptChunk[];
  /** Nothing has run yet: show a hint instead of an empty box. */
  idle: boolean;
}

// Screen readers hear where a block of text comes from; sighted users see it by colour.
const SPOKEN: Record<TranscriptStream, string> = {
  stdout: '',
  stderr: 'error output: ',
  stdin: 'you typed: ',
  note: '',
};

function Transcript({ chunks }: { chunks: readonly TranscriptChunk[] }) {
  return (
    <pre className="console__text">
      {chunks.map((chunk, i) => (
        <span key={i} className={`console__chunk console__chunk--${chunk.stream}`} data-stream={chunk.stream}>
          {SPOKEN[chunk.stream] && <span className="sr-only">{SPOKEN[chunk.stream]}</span>}
          {chunk.text}
        </span>
      ))}
    </pre>
  );
}

/** The output console: compiler output (if any) labelled apart from the program's own output. */
export function ConsoleOutput({ chunks, idle }: ConsoleOutputProps) {
  const boxRef = useRef<HTMLDivElement>(null);
  const stickRef = useRef(true);
  const compile = chunks.filter((c) => c.stage === 'compile');
  const run = chunks.filter((c) => c.stage === 'run');

  // Follow new output, unless the student scrolled up to read something.
  useLayoutEffect(() => {
    const box = boxRef.current;
    if (box && stickRef.current) box.scrollTop = box.scrollHeight;
  }, [chunks]);

  return (
    <div
      ref={boxRef}
      className="console"
      data-testid="output"
      role="log"
      aria-label="Program output"
      tabIndex={0}
      onScroll={(e) => {
        const box = e.currentTarget;
        stickRef.current = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
      }}
    >
      {idle && chunks.length === 0 && (
        <p className="console__hint">Output appears here. Press Run or Ctrl+Enter.</p>
      )}
      {compile.length > 0 && (
        <section className="console__section console__section--compile" aria-label="Compiler output">
          <h3 className="console__label">Compiler output</h3>
          <Transcript chunks={compile} />
        </section>
      )}
      {compile.length > 0 && run.length > 0 && <h3 className="console__label">Program output</h3>}
      <Transcript chunks={run} />
    </div>
  );
}
