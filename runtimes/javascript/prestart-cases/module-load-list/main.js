require('fs').writeSync(1, process.moduleLoadList.join('\n') + '\n');
