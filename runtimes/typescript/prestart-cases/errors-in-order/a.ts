import { b } from "./b";
export const a: string = b;
let x = 1; x = "s";
