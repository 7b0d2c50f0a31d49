console.log(JSON.stringify(process.argv.slice(1)));
console.log(process.argv[0] === process.execPath, process.argv0, process.argv.length, process.title);
