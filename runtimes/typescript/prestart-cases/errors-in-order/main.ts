import { a } from "./a";
import { g } from "./b";
console.log(a, g(undefined), nope);
