import { describe, expect, it } from 'vitest';
import { describeLibraries } from './libraries';

describe('the libraries line', () => {
  it('lists each library with its version', () => {
    expect(
      describeLibraries({
        libraries: [
          { name: 'numpy', version: '2.2.4' },
          { name: 'pandas', version: '2.2.3' },
          { name: 'local', version: '' },
        ],
      }),
    ).toBe('numpy 2.2.4 · pandas 2.2.3 · local');
  });

  it('says nothing for a language without libraries, or none chosen', () => {
    expect(describeLibraries({ libraries: [] })).toBeNull();
    expect(describeLibraries(undefined)).toBeNull();
  });
});
