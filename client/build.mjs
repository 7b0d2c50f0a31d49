// Placeholder build of the web client until the editor lands (issue 4): copies the static page to dist/.
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync(new URL('./dist/', import.meta.url), { recursive: true });
cpSync(new URL('./public/', import.meta.url), new URL('./dist/', import.meta.url), { recursive: true });
console.log('client: placeholder page copied to client/dist');
