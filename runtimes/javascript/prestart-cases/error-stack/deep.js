exports.deep = function deep(n) {
  return n === 0 ? new Error('deep').stack : deep(n - 1);
};
