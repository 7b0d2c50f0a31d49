const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
for (const line of lines) console.log(line);
