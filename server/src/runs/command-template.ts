/**
 * Expands a runtime command template. An argument that is exactly `{files}`, `{files:.ext}` or `{args}`
 * becomes several arguments; `{entry}` (lib/main.py), `{entryStem}` (lib/main), `{entryClass}` (lib.main),
 * `{entryDir}` (lib, or . at the root) and `{entryBase}` (main.py) are replaced anywhere inside an argument.
 */
export function expandCommand(
  template: readonly string[],
  context: { entry: string; files: readonly string[]; args: readonly string[] },
): string[] {
  const stem = context.entry.replace(/\.[^./]*$/, '');
  const slash = context.entry.lastIndexOf('/');
  const entryDir = slash === -1 ? '.' : context.entry.slice(0, slash);
  const entryBase = slash === -1 ? context.entry : context.entry.slice(slash + 1);
  const out: string[] = [];
  for (const arg of template) {
    if (arg === '{args}') {
      out.push(...context.args);
      continue;
    }
    if (arg === '{files}') {
      out.push(...context.files);
      continue;
    }
    const filtered = /^\{files:(\.[A-Za-z0-9+]+)\}$/.exec(arg);
    if (filtered) {
      out.push(...context.files.filter((f) => f.endsWith(filtered[1]!)));
      continue;
    }
    out.push(
      arg
        .replaceAll('{entryStem}', stem)
        .replaceAll('{entryClass}', stem.replaceAll('/', '.'))
        .replaceAll('{entryDir}', entryDir)
        .replaceAll('{entryBase}', entryBase)
        .replaceAll('{entry}', context.entry),
    );
  }
  return out;
}
