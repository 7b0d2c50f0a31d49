import type { OutputFile } from '@coderunner/protocol';
import { formatSize, viewOutput } from './output-files';
import './outputs.css';

interface OutputFilesListProps {
  files: readonly OutputFile[];
  truncated: boolean;
  /** The region's name, e.g. "Files the program wrote". */
  label: string;
}

/** Files a run wrote under out/: images inline (alt text: the file name), other files as download links. */
export function OutputFilesList({ files, truncated, label }: OutputFilesListProps) {
  if (files.length === 0 && !truncated) return null;
  const views = files.map(viewOutput);
  const images = views.filter((v) => v.kind === 'image');
  const downloads = views.filter((v) => v.kind === 'download');
  return (
    <section className="output-files" aria-label={label} data-testid="output-files">
      <h3 className="output-files__title">{label}</h3>
      {images.map((image) => (
        <figure key={image.name} className="output-files__figure">
          <img className="output-files__image" src={image.src} alt={image.name} />
          <figcaption className="output-files__caption">
            {image.name} ({formatSize(image.size)})
          </figcaption>
        </figure>
      ))}
      {downloads.length > 0 && (
        <ul className="output-files__downloads">
          {downloads.map((file) => (
            <li key={file.name}>
              <a href={file.href} download={file.fileName}>
                Download {file.name}
              </a>{' '}
              <span className="output-files__size">({formatSize(file.size)})</span>
            </li>
          ))}
        </ul>
      )}
      {truncated && (
        <p className="output-files__truncated" data-testid="outputs-truncated">
          Some files were left out: the server sends back only so many files and bytes per run.
        </p>
      )}
    </section>
  );
}
