console.log(require.main === module, module.id, require.main.filename);
console.log(process.mainModule === module, module.parent, module.loaded, module.children.length);
console.log(require.resolve('./main.js'), typeof require('module').runMain);
