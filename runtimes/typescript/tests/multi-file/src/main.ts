import { area } from './geometry/shapes';

console.log(area({ width: 3, height: 4 }));
