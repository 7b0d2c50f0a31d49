import * as readline from 'readline';
const rl = readline.createInterface({ input: process.stdin });
let total = 0;
rl.on('line', (line: string) => {
  total += Number(line);
  console.log(`got ${line}`);
});
rl.on('close', () => console.log(`total ${total}`));
