export interface Rect {
  width: number;
  height: number;
}

export function area(r: Rect): number {
  return r.width * r.height;
}
