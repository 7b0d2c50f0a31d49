import { readFileSync } from "fs";
const text: string = readFileSync(0, "utf8");
process.stdout.write(text.split("").reverse().join(""));
