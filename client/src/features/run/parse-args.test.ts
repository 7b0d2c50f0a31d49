import { describe, expect, it } from 'vitest';
import { parseArgs } from './parse-args';

describe('parseArgs', () => {
  it('splits on whitespace and keeps quoted words together', () => {
    expect(parseArgs('  -n 3  "two words" \'single $x\'')).toEqual({
      args: ['-n', '3', 'two words', 'single $x'],
    });
  });

  it('handles escapes, empty quotes and quotes inside a word', () => {
    expect(parseArgs('a\\ b "say \\"hi\\"" \'\' pre"mid"post')).toEqual({
      args: ['a b', 'say "hi"', '', 'premidpost'],
    });
    expect(parseArgs('"back\\slash"')).toEqual({ args: ['back\\slash'] });
  });

  it('gives no arguments for blank text and a problem for an unclosed quote', () => {
    expect(parseArgs('   ')).toEqual({ args: [] });
    expect(parseArgs('"open')).toHaveProperty('problem');
    expect(parseArgs("'open")).toHaveProperty('problem');
  });
});
