import { twice } from './helper.mjs';
import { createRequire } from 'node:module';
import path from 'node:path';
console.log(import.meta.url, twice(21), typeof require, typeof module);
console.log(process.argv.slice(1).join(' '), path.basename(import.meta.filename ?? 'none'));
const req = createRequire(import.meta.url);
console.log(req("./data.json").ok, Object.keys(req.cache).join(' ') || '(empty cache)');
