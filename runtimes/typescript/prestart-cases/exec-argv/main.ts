console.log(JSON.stringify(process.execArgv), process.sourceMapsEnabled);
console.log(process.env.NODE_OPTIONS, Object.keys(process).filter((k) => k.startsWith("_")).join(","));
