console.log('set'); process.exitCode = 3; setTimeout(() => console.log('still ran'), 20);
