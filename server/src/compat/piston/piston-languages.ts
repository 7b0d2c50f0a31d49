import type { Runtime, RuntimeRegistry } from '../../runtimes/runtime-registry.js';
import { pistonVersion, satisfies } from './piston-semver.js';

/**
 * Piston's names for our languages, from the `language`, `aliases` and `provides` of Piston's package
 * metadata (packages/<pkg>/<version>/metadata.json): gcc 12.2.0 provides c, c++, d, fortran; mono 6.12.0
 * provides csharp; node 20.11.1 provides javascript; gawk 5.1.0 provides awk (its metadata spells the key
 * `alias`, so Piston lists no aliases for it); lisp, nasm, forth, erlang, ada, bash, rscript, sqlite3, pascal,
 * python (3.12.0: `python3.<minor>` too), typescript (5.0.3), java from their own packages. A language missing
 * here has no Piston package we could read and keeps our name and aliases.
 */
const PISTON_NAMES: Record<string, { language: string; aliases: readonly string[]; runtime?: string }> = {
  ada: { language: 'ada', aliases: ['gnat'] },
  awk: { language: 'awk', aliases: [], runtime: 'gawk' },
  bash: { language: 'bash', aliases: ['sh'] },
  c: { language: 'c', aliases: ['gcc'], runtime: 'gcc' },
  commonlisp: { language: 'lisp', aliases: ['lisp', 'cl', 'sbcl', 'commonlisp'] },
  cpp: { language: 'c++', aliases: ['cpp', 'g++'], runtime: 'gcc' },
  csharp: {
    language: 'csharp',
    aliases: ['mono', 'mono-csharp', 'mono-c#', 'mono-cs', 'c#', 'cs'],
    runtime: 'mono',
  },
  cobol: { language: 'cobol', aliases: ['cob'] },
  d: { language: 'd', aliases: ['gdc'], runtime: 'gcc' },
  erlang: { language: 'erlang', aliases: ['erl', 'escript'] },
  forth: { language: 'forth', aliases: ['gforth'] },
  fortran: { language: 'fortran', aliases: ['fortran', 'f90'], runtime: 'gcc' },
  java: { language: 'java', aliases: [] },
  javascript: {
    language: 'javascript',
    aliases: ['node-javascript', 'node-js', 'javascript', 'js'],
    runtime: 'node',
  },
  nasm: { language: 'nasm', aliases: ['nasm64'] },
  pascal: { language: 'pascal', aliases: ['freepascal', 'pp', 'pas'] },
  r: { language: 'rscript', aliases: ['r'] },
  sqlite: { language: 'sqlite3', aliases: ['sqlite', 'sql'] },
  typescript: { language: 'typescript', aliases: ['ts', 'node-ts', 'tsc', 'typescript5', 'ts5'] },
};

/** One entry of Piston's `GET /api/v2/runtimes` (api/src/api/v2.js): `runtime` only for multi-language packages. */
export interface PistonRuntime {
  language: string;
  version: string;
  aliases: string[];
  runtime?: string;
}

/** A runtime as Piston sees it, with the CodeRunner runtime behind it. */
export interface PistonLanguage extends PistonRuntime {
  readonly target: Runtime;
}

/** Piston's view of the registry: names, aliases and semver versions. */
export class PistonLanguages {
  private seen: readonly Runtime[] | null = null;
  private cached: readonly PistonLanguage[] = [];

  /** The registry may change (live workers in the distributed mode): the table follows its list. */
  constructor(private readonly registry: Pick<RuntimeRegistry, 'list'>) {}

  get all(): readonly PistonLanguage[] {
    const runtimes = this.registry.list();
    if (runtimes !== this.seen) {
      this.cached = pistonLanguagesOf(runtimes);
      this.seen = runtimes;
    }
    return this.cached;
  }

  /** The JSON list of `GET runtimes`. */
  list(): PistonRuntime[] {
    return this.all.map(({ language, version, aliases, runtime }) =>
      runtime === undefined ? { language, version, aliases } : { language, version, aliases, runtime },
    );
  }

  /**
   * The runtime Piston's get_latest_runtime_matching_language_version would pick: language name or one of its
   * aliases, exactly as spelled (Piston compares with `==` and `includes`), whose version satisfies `selector`.
   */
  find(name: string, selector: string): PistonLanguage | undefined {
    return this.all.find(
      (rt) => (rt.language === name || rt.aliases.includes(name)) && satisfies(rt.version, selector),
    );
  }
}

function pistonLanguagesOf(runtimes: readonly Runtime[]): PistonLanguage[] {
  return runtimes.map((target) => {
    const known = PISTON_NAMES[target.language];
    const version = pistonVersion(target.version);
    const aliases = known ? [...known.aliases] : target.language === 'python' ? [] : [...target.aliases];
    if (target.language === 'python') {
      // Piston's python package: py, py3, python3, python3.<minor> (packages/python/3.12.0/metadata.json).
      aliases.push('py', 'py3', 'python3', `python${version.split('.').slice(0, 2).join('.')}`);
    }
    const entry: PistonLanguage = {
      language: known?.language ?? target.language,
      version,
      aliases,
      target,
    };
    if (known?.runtime) entry.runtime = known.runtime;
    return entry;
  });
}
