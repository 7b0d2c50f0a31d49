export const b: number = 1;
export function g(s: string | undefined) { return s.length; }
