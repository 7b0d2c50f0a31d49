const args: string[] = process.argv.slice(2);
console.log([String(args.length), ...args].join(' '));
