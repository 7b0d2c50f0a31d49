console.log(__filename, require.main === module, typeof require('./other.cjs'));
