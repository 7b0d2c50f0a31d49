exports.named = 'from-cjs'; exports.other = 1;
