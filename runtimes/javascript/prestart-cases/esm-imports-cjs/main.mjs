import cjs, { named } from './lib.cjs';
import * as ns from './lib.cjs';
console.log(cjs.named, named, Object.keys(ns).join(','));
const { default: json } = await import('./data.json', { with: { type: 'json' } });
console.log(json.n);
