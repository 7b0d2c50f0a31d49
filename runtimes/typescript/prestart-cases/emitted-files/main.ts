import { v } from "./lib";
import * as fs from "fs";
console.log(v, fs.readdirSync("/tmp/out").sort().join(" "));
console.log(fs.readFileSync("/tmp/out/main.js.map", "utf8"));
