import { useRef, useState } from 'react';
import type { Project } from '../../lib/project/project';
import { unzipProject, zipProject } from './project-zip';

interface ProjectIoButtonsProps {
  project: Project | null;
  extensions: readonly string[];
  onReplace: (project: Project) => void;
  onReset: () => void;
}

/** Download the project as a zip, replace it from a zip, or go back to the language's starter. */
export function ProjectIoButtons({ project, extensions, onReplace, onReset }: ProjectIoButtonsProps) {
  const fileInput = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const download = () => {
    if (!project) return;
    const blob = new Blob([zipProject(project) as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `coderunner-${project.language}.zip`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const upload = async (file: File) => {
    if (!project) return;
    const result = unzipProject(new Uint8Array(await file.arrayBuffer()), project.language, extensions);
    if ('problem' in result) {
      setProblem(`Could not open ${file.name}: ${result.problem}`);
      return;
    }
    if (!window.confirm(`Replace the current ${project.language} project with ${file.name}?`)) return;
    setProblem(null);
    onReplace(result.project);
  };

  return (
    <div className="project-io" role="group" aria-label="Project">
      <button type="button" className="button" disabled={!project} onClick={download}>
        Download zip
      </button>
      <button type="button" className="button" disabled={!project} onClick={() => fileInput.current?.click()}>
        Open zip…
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".zip,application/zip"
        hidden
        data-testid="upload-zip"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (file) void upload(file);
        }}
      />
      <button
        type="button"
        className="button"
        disabled={!project}
        onClick={() => {
          if (window.confirm('Replace this project with the starter program? Your changes to it are lost.'))
            onReset();
        }}
      >
        Reset
      </button>
      {problem && (
        <span className="project-io__problem" role="alert">
          {problem}
        </span>
      )}
    </div>
  );
}
