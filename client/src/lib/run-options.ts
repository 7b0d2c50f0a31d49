/** The run settings kept with each project: arguments, input given up front and the time limit. */
export interface RunOptions {
  /** Command-line arguments as typed, split shell-style when the run starts. */
  args: string;
  /** Input given to the program before anything typed while it runs. */
  stdin: string;
  /** After the up-front input, send end-of-file (so programs that read to the end finish). */
  endInput: boolean;
  /** Wall-clock limit in seconds. */
  timeoutSeconds: number;
}

export const DEFAULT_RUN_OPTIONS: RunOptions = Object.freeze({
  args: '',
  stdin: '',
  endInput: true,
  timeoutSeconds: 5,
});
