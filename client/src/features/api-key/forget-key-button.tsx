import { useState } from 'react';
import type { ApiKeyStore } from '../../lib/api/api-key';
import { useKeyStore } from './use-key-store';

/** "Forget API key": shown while the editor holds a key; drops it from memory and from the browser's storage. */
export function ForgetKeyButton({ keys }: { keys: ApiKeyStore }) {
  const { key, persistence } = useKeyStore(keys);
  const [forgotten, setForgotten] = useState(false);
  const where =
    persistence === 'device'
      ? 'remembered on this device'
      : persistence === 'session'
        ? 'kept until this tab closes'
        : 'kept on this page only';
  return (
    <>
      {key !== null && (
        <button
          type="button"
          className="button"
          data-testid="forget-key"
          title={`The API key is ${where}. Forget it: the server will ask for it again.`}
          onClick={() => {
            keys.forget();
            setForgotten(true);
          }}
        >
          Forget API key
        </button>
      )}
      <span className="sr-only" role="status">
        {forgotten && key === null ? 'The API key was forgotten.' : ''}
      </span>
    </>
  );
}
