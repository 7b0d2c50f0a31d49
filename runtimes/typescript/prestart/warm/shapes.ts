// Warm-up sample (tsc-prestart.cjs): the second file of a multi-file program.
export interface Circle0 {
  kind: 'circle';
}
export class Circle {
  readonly kind = 'circle' as const;
  constructor(public radius: number) {}
}
export class Rect {
  readonly kind = 'rect' as const;
  constructor(public width: number, public height: number) {}
}
export type Shape = Circle | Rect;

export function area(shape: Shape): number {
  switch (shape.kind) {
    case 'circle':
      return Math.PI * shape.radius ** 2;
    case 'rect':
      return shape.width * shape.height;
    default: {
      const never: never = shape;
      return never;
    }
  }
}

export const describe = <T extends { kind: string }>(value: T): string => `${value.kind}`;
export default area;
