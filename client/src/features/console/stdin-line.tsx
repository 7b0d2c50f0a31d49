import { useState, type FormEvent, type KeyboardEvent } from 'react';

interface StdinLineProps {
  /** A program is running and its input is still open. */
  enabled: boolean;
  onSend: (text: string) => void;
  onEndOfInput: () => void;
}

/** One line of typed input for the running program: Enter sends it with "\n", Ctrl+D sends end-of-file. */
export function StdinLine({ enabled, onSend, onEndOfInput }: StdinLineProps) {
  const [line, setLine] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!enabled) return;
    onSend(`${line}\n`);
    setLine('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.ctrlKey && !event.altKey && !event.metaKey && event.key.toLowerCase() === 'd') {
      event.preventDefault();
      if (line !== '') onSend(line);
      setLine('');
      onEndOfInput();
    }
  };
  return (
    <form className="stdin-line" onSubmit={submit}>
      <label htmlFor="stdin-input">Input</label>
      <input
        id="stdin-input"
        data-testid="stdin-input"
        type="text"
        autoComplete="off"
        spellCheck={false}
        value={line}
        disabled={!enabled}
        placeholder={
          enabled ? 'Type and press Enter (Ctrl+D: end of input)' : 'Available while a program runs'
        }
        onChange={(e) => setLine(e.target.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" className="button" disabled={!enabled}>
        Send
      </button>
      <button
        type="button"
        className="button"
        disabled={!enabled}
        onClick={() => onEndOfInput()}
        title="Send end of input (Ctrl+D)"
      >
        EOF
      </button>
    </form>
  );
}
