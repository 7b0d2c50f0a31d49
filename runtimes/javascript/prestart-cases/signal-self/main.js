console.log('about to die');
process.kill(process.pid, 'SIGTERM');
setTimeout(() => console.log('survived'), 500);
