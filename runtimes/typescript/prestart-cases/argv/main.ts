console.log(process.argv.length, JSON.stringify(process.argv.slice(1)), process.argv0, process.execPath);
console.log(__filename, __dirname, require.main === module);
