import type Docker from 'dockerode';
import type { SandboxSpec } from './sandbox.js';

/** Labels on every container CodeRunner creates; orphan clean-up keys on them. */
export const CONTAINER_LABELS = {
  managed: 'coderunner.managed',
  instance: 'coderunner.instance',
  owner: 'coderunner.owner',
  language: 'coderunner.language',
} as const;

/** The unprivileged uid (and gid) the agent runs programs as; the runtime images create it as `runner`. */
export const RUNNER_UID = 10001;

/**
 * Under gVisor the pids limit counts the sandbox kernel's own host threads (the Sentry's Go runtime), not just the
 * program's: without this allowance a program with a few threads starves the Sentry, which then dies.
 */
const RUNSC_THREAD_ALLOWANCE = 192;

/** What the driver knows beyond the spec when it creates a container. */
export interface ContainerConfigOptions {
  /** Unique id of this server instance. */
  instanceId: string;
  /** `host:pid` of the owning server process. */
  owner: string;
  /** OCI runtime: runc or runsc (gVisor). */
  runtime: string;
  cpus: number;
  workdirMb: number;
  tmpMb: number;
}

/**
 * The Docker create options of one sandbox container: the whole lockdown (no network, memory = memory+swap,
 * pids and CPU caps, read-only root, size-capped tmpfs, capabilities dropped but what the agent needs).
 */
export function containerCreateOptions(
  spec: SandboxSpec,
  o: ContainerConfigOptions,
): Docker.ContainerCreateOptions {
  const memoryBytes = spec.memoryMb * 1024 * 1024;
  return {
    Image: spec.image,
    Hostname: 'sandbox',
    User: '0:0',
    Tty: false,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    NetworkDisabled: true,
    Env: [],
    Labels: {
      [CONTAINER_LABELS.managed]: 'true',
      [CONTAINER_LABELS.instance]: o.instanceId,
      [CONTAINER_LABELS.owner]: o.owner,
      [CONTAINER_LABELS.language]: spec.language,
    },
    HostConfig: {
      NetworkMode: 'none',
      Runtime: o.runtime,
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      PidsLimit: o.runtime === 'runsc' ? spec.pids + RUNSC_THREAD_ALLOWANCE : spec.pids,
      NanoCpus: Math.round(o.cpus * 1e9),
      ReadonlyRootfs: true,
      Tmpfs: {
        // The runner uid owns /work (a mode alone is overridden by the image's folder on copy-up).
        '/work': `rw,exec,nosuid,nodev,size=${o.workdirMb}m,mode=0755,uid=${RUNNER_UID},gid=${RUNNER_UID}`,
        '/tmp': `rw,exec,nosuid,nodev,size=${o.tmpMb}m,mode=1777`,
      },
      CapDrop: ['ALL'],
      // The agent (root, PID 1) needs these to drop to the runner uid and to kill its processes.
      CapAdd: ['SETUID', 'SETGID', 'KILL'],
      SecurityOpt: ['no-new-privileges'],
      IpcMode: 'private',
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
      // Output goes over the attach stream only; a log driver would write every byte to disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
    },
  };
}
