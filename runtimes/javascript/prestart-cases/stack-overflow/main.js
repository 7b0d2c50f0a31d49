let depth = 0;
function recurse() { depth++; recurse(); }
try { recurse(); } catch (e) { console.log(e.constructor.name, e.message, depth); }
function boom(n) { return boom(n + 1) + 1; }
boom(0);
