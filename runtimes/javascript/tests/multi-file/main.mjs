import { area } from "./geometry/shapes.mjs";

console.log(area(3, 4));
