console.log(process.execArgv.join(' '), process.argv.slice(1).join(' ')); process.emitWarning('hidden');
