process.send({ argv: process.argv.slice(1), execArgv: process.execArgv, main: require.main === module });
process.exitCode = 5;
process.disconnect();
