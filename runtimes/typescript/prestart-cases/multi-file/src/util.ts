export default function greet(name: string): string {
  return `hello ${name}`;
}
export const shout = (s: string): string => s.toUpperCase() + '!';
