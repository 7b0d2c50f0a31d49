// A run's output files (protocol/src/output-files.ts) as the page shows them: images inline, everything else a
// download link. Both are data: URLs over the base64 content, so nothing is fetched again.
import type { OutputFile } from '@coderunner/protocol';
import { basename } from '../../lib/project/paths';

/** A media type worth putting in a data: URL (type/subtype with token characters only), else null. */
function cleanMediaType(mediaType: string): string | null {
  const type = mediaType.split(';')[0]?.trim().toLowerCase() ?? '';
  return /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(type) ? type : null;
}

export type OutputView =
  | { kind: 'image'; name: string; src: string; size: number }
  /** `fileName` is what the browser saves it as (the last segment of the path). */
  | { kind: 'download'; name: string; href: string; fileName: string; size: number };

/** How to show one output file. Downloads are typed application/octet-stream so the browser never renders them. */
export function viewOutput(file: OutputFile): OutputView {
  const type = cleanMediaType(file.mediaType);
  if (type?.startsWith('image/'))
    return { kind: 'image', name: file.name, src: `data:${type};base64,${file.content}`, size: file.size };
  return {
    kind: 'download',
    name: file.name,
    href: `data:application/octet-stream;base64,${file.content}`,
    fileName: basename(file.name),
    size: file.size,
  };
}

/** "512 B", "18.0 KB", "1.2 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
