export const name = 'esm-lib';
