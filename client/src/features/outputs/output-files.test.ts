import { describe, expect, it } from 'vitest';
import { formatSize, viewOutput } from './output-files';

describe('output files', () => {
  it('shows images inline as data: URLs named by their path', () => {
    expect(viewOutput({ name: 'out/plot.png', size: 3, mediaType: 'image/png', content: 'iVBO' })).toEqual({
      kind: 'image',
      name: 'out/plot.png',
      src: 'data:image/png;base64,iVBO',
      size: 3,
    });
  });

  it('offers anything else, or an odd media type, as a download that the browser will not render', () => {
    const csv = viewOutput({
      name: 'out/data/t.csv',
      size: 4,
      mediaType: 'text/csv; charset=utf-8',
      content: 'YSxi',
    });
    expect(csv).toEqual({
      kind: 'download',
      name: 'out/data/t.csv',
      href: 'data:application/octet-stream;base64,YSxi',
      fileName: 't.csv',
      size: 4,
    });
    expect(viewOutput({ name: 'x', size: 0, mediaType: 'image/png"><script>', content: '' }).kind).toBe(
      'download',
    );
  });

  it('formats sizes', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(18432)).toBe('18.0 KB');
    expect(formatSize(1.25 * 1024 * 1024)).toBe('1.3 MB');
  });
});
