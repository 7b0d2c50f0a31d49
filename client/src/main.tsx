import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { createApiClient } from './lib/api/api-client';
import { createKeyStore, takeKeyFromAddress } from './lib/api/api-key';
import './app/theme.css';
import './app/base.css';
import './app/layout.css';

/** A browser storage, or null where the browser refuses access to it (some privacy settings throw). */
function storageOrNull(get: () => Storage): Storage | null {
  try {
    return get();
  } catch {
    return null;
  }
}

const keys = createKeyStore({
  session: storageOrNull(() => window.sessionStorage),
  local: storageOrNull(() => window.localStorage),
});
// First thing, before any request: a teacher's link may carry ?api_key=, which must not stay in the address.
takeKeyFromAddress(window.location, window.history, keys);
const api = createApiClient({ keys });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App keys={keys} api={api} />
  </StrictMode>,
);
