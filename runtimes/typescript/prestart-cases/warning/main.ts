console.log(process.listenerCount("warning"));
process.removeAllListeners("warning");
process.on("warning", (w: Error) => console.log("warning:", w.name, w.message));
process.emitWarning("careful", "CustomWarning");
const b = new Buffer(2);
const c = new Buffer(3);
console.log(b.length, c.length);
setTimeout(() => {}, 10);
