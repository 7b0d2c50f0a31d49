process.exitCode = 4;
process.on("exit", (code: number) => console.log("exit", code));
setTimeout(() => console.log("timer"), 5);
