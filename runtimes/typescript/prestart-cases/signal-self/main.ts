console.log("going");
process.kill(process.pid, "SIGTERM");
setTimeout(() => console.log("not reached"), 1000);
