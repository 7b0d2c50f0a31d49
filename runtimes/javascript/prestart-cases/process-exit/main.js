// Less than a pipe's buffer (64 KiB): what process.exit keeps of more depends on how fast the reader is.
process.stdout.write('x'.repeat(60000) + '\n');
console.error('to stderr');
process.on('exit', (code) => console.log('exit handler', code, process.exitCode));
setTimeout(() => console.log('never'), 1000);
process.exit(4);
