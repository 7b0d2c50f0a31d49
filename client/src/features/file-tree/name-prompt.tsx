import { useEffect, useRef, useState, type FormEvent } from 'react';

interface NamePromptProps {
  label: string;
  initial: string;
  /** Applies the name; returns what is wrong with it, or null when it was accepted. */
  onSubmit: (name: string) => string | null;
  onCancel: () => void;
}

/** An inline name field for new files, new folders and renames: Enter applies, Escape cancels. */
export function NamePrompt({ label, initial, onSubmit, onCancel }: NamePromptProps) {
  const [value, setValue] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const input = inputRef.current;
    if (!input) return;
    input.focus();
    // Select the name without its extension, as file managers do.
    const slash = initial.lastIndexOf('/') + 1;
    const dot = initial.lastIndexOf('.');
    input.setSelectionRange(slash, dot > slash ? dot : initial.length);
  }, [initial]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(onSubmit(value));
  };
  return (
    <form className="name-prompt" onSubmit={submit}>
      <label htmlFor="name-prompt-input">{label}</label>
      <input
        id="name-prompt-input"
        ref={inputRef}
        type="text"
        value={value}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={problem !== null}
        aria-describedby={problem ? 'name-prompt-problem' : undefined}
        onChange={(e) => {
          setValue(e.target.value);
          setProblem(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      <div className="name-prompt__buttons">
        <button type="submit" className="button button--small">
          OK
        </button>
        <button type="button" className="button button--small" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {problem && (
        <p id="name-prompt-problem" className="name-prompt__problem" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}
