console.log(JSON.stringify(process.execArgv), JSON.stringify(process._preload_modules));
console.log(JSON.stringify(Object.getOwnPropertyDescriptor(process, '_preload_modules')));
console.log(process.env.NODE_OPTIONS, Object.keys(process).filter((k) => k.startsWith('_')).join(','));
