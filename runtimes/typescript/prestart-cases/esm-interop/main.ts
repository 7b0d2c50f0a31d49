import fs from "fs";
import path, { join } from "node:path";
import * as os from "os";
console.log(typeof fs.readFileSync, path.basename(join("/a", "b.ts")), typeof os.cpus);
