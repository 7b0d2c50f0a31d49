import { helper } from "./helpers";
import lodash from "lodash";
console.log(helper(), lodash);
