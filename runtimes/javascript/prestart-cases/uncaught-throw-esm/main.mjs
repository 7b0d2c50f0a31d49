import { check } from './check.mjs';
console.log('start');
check(-1);
