exports.name = 'util:' + require.main.filename;
