import { readFileSync } from 'fs';

const input: string = readFileSync(0, 'utf8');
process.stdout.write(input);
