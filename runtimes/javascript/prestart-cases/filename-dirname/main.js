console.log(__filename);
console.log(__dirname);
console.log(process.cwd());
console.log(module.paths.join(' '));
console.log(require('path').resolve('x'));
