import { sum, Stats } from './lib/math';
import greet from './util';
import * as util from './util';
const s = new Stats([3, 4, 5]);
console.log(greet('multi'), sum(1, 2, 3), s.mean(), util.shout('done'));
