'use strict';
// The pre-started node's main entry until the hand-over names the real one (node-prestart.cjs redirects its
// resolution), so it never runs, unless node was started with it but without the preload.
require('fs').writeSync(2, 'node-prestart: node-prestart-main.cjs ran without node-prestart.cjs\n');
process.exit(127);
