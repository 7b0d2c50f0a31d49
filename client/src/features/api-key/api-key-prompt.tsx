import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ApiKeyStore, KeyPersistence, KeyRequest } from '../../lib/api/api-key';
import { useKeyStore } from './use-key-store';
import './api-key.css';

const CHOICES: readonly { value: KeyPersistence; label: string }[] = [
  { value: 'memory', label: 'Only on this page (asked again after a reload)' },
  { value: 'session', label: 'Until this tab is closed' },
  { value: 'device', label: 'Remember on this device (until you choose "Forget API key")' },
];

/** Shown while the server wants an API key (a 401 asked for one): a modal dialog; the waiting requests retry. */
export function ApiKeyPrompt({ keys }: { keys: ApiKeyStore }) {
  const { request } = useKeyStore(keys);
  if (!request) return null;
  return (
    <KeyDialog
      request={request}
      onSubmit={(key, persistence) => keys.set(key, persistence)}
      onCancel={() => keys.decline()}
    />
  );
}

interface KeyDialogProps {
  request: KeyRequest;
  onSubmit: (key: string, persistence: KeyPersistence) => void;
  onCancel: () => void;
}

function KeyDialog({ request, onSubmit, onCancel }: KeyDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const [key, setKey] = useState('');
  const [persistence, setPersistence] = useState<KeyPersistence>('session');
  const [empty, setEmpty] = useState(false);

  useEffect(() => {
    const dialog = dialogRef.current;
    // showModal makes the rest of the page inert, traps focus in the dialog and closes it on Escape.
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (key.trim() === '') {
      setEmpty(true);
      return;
    }
    onSubmit(key, persistence);
  };

  const problem = empty
    ? 'Enter the key first.'
    : request.reason === 'invalid'
      ? 'The server did not accept that key. Check it and try again.'
      : null;

  return (
    <dialog
      ref={dialogRef}
      className="api-key-prompt"
      aria-labelledby="api-key-title"
      aria-describedby="api-key-why"
      data-testid="api-key-prompt"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <form onSubmit={submit} className="api-key-prompt__form">
        <h2 id="api-key-title" className="api-key-prompt__title">
          API key needed
        </h2>
        <p id="api-key-why" className="api-key-prompt__why">
          This CodeRunner server runs programs only with an API key. Your teacher or the server&apos;s
          administrator can give you one.
        </p>
        <label htmlFor="api-key-input">API key</label>
        <input
          id="api-key-input"
          type="password"
          value={key}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={problem !== null}
          aria-describedby={problem ? 'api-key-problem' : undefined}
          onChange={(event) => {
            setKey(event.target.value);
            setEmpty(false);
          }}
        />
        {problem && (
          <p id="api-key-problem" className="api-key-prompt__problem" role="alert">
            {problem}
          </p>
        )}
        <fieldset className="api-key-prompt__keep">
          <legend>Keep the key</legend>
          {CHOICES.map((choice) => (
            <label key={choice.value} className="api-key-prompt__choice">
              <input
                type="radio"
                name="api-key-keep"
                value={choice.value}
                checked={persistence === choice.value}
                onChange={() => setPersistence(choice.value)}
              />
              {choice.label}
            </label>
          ))}
        </fieldset>
        <div className="api-key-prompt__buttons">
          <button type="submit" className="button button--primary">
            Use key
          </button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
