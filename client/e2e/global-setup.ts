// The e2e tests drive the built editor: `npm test -w client` builds it first (vite build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Fails early, with the fix, when client/dist is missing. */
export default function setup(): void {
  const index = fileURLToPath(new URL('../dist/index.html', import.meta.url));
  if (!existsSync(index)) throw new Error(`${index} is missing: run \`npm run build -w client\` first`);
}
