import type Docker from 'dockerode';
import type { SandboxSpec } from './sandbox.js';
import seccompProfile from './seccomp.json' with { type: 'json' };

/** Labels on every container CodeRunner creates; orphan clean-up keys on them. */
export const CONTAINER_LABELS = {
  managed: 'coderunner.managed',
  instance: 'coderunner.instance',
  owner: 'coderunner.owner',
  language: 'coderunner.language',
} as const;

export { isRunnerUid, RUNNER_UIDS } from './runner-uids.js';

/**
 * CodeRunner's own seccomp profile (seccomp.json): Docker 20.10's default minus what a student program never
 * needs (vsock and every socket family but unix, inet, inet6 and netlink-route; io_uring; bpf; perf_event_open;
 * keyctl; userfaultfd; new namespaces; mount; ptrace; device nodes; renicing other processes). Applied under
 * gVisor too, where the engine registers runsc with --oci-seccomp. docs/security.md says how it was derived.
 */
const SECCOMP = `seccomp=${JSON.stringify(seccompProfile)}`;

/**
 * Size of /dev/shm (a tmpfs private to the container). Its pages, like those of /work and /tmp, are charged to
 * the container's memory cgroup, so a full /dev/shm counts against the run's memory limit.
 */
export const SHM_MB = 64;

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
  /** The uid (and gid) this container's programs run as; unique among live containers (RunnerUidPool). */
  runnerUid: number;
}

/**
 * The Docker create options of one sandbox container: the whole lockdown (no network, memory = memory+swap,
 * pids and CPU caps, read-only root, size-capped tmpfs and /dev/shm, every capability dropped, our seccomp
 * profile, a runner uid of its own).
 *
 * Under runc the container's only user is its runner uid: the agent (PID 1) starts as it with no capability and
 * runs the stages as itself, so no process of the container is host root. What a program of the agent's own
 * uid could otherwise do to it is closed by PID 1's signal rules, the agent being non-dumpable and the seccomp
 * profile (docs/security.md, "The agent and the program share a uid"). Under gVisor the agent starts as the
 * sandbox's root, which the engine's userns-remap makes host uid 100000, and drops to the runner uid for the
 * stages: gVisor does not protect a PID 1 from its own namespace's signals, so there the agent must not share
 * the program's uid.
 */
export function containerCreateOptions(
  spec: SandboxSpec,
  o: ContainerConfigOptions,
): Docker.ContainerCreateOptions {
  const memoryBytes = spec.memoryMb * 1024 * 1024;
  const gvisor = o.runtime === 'runsc';
  return {
    Image: spec.image,
    Hostname: 'sandbox',
    User: gvisor ? '0:0' : `${o.runnerUid}:${o.runnerUid}`,
    Tty: false,
    OpenStdin: true,
    StdinOnce: false,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    // Appended to the image's ENTRYPOINT (the agent): the uid it runs this container's programs as (under runc
    // its own, which the agent checks), and whether an S frame (the pre-started process) comes first.
    Cmd: ['--uid', String(o.runnerUid), ...(spec.prestart ? ['--prestart'] : [])],
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
      // runc: no user namespace even when the engine remaps (userns-remap). Under a user namespace the kernel
      // charges inotify, message queue and pending-signal quotas to its owner, host root, for all containers
      // together, so one run could use them up for every other run and for the host (measured; see
      // docs/security.md). The per-container runner uid keeps those quotas apart instead. gVisor implements
      // them inside its own kernel, so runsc takes the engine's remapping: its Sentry and gofer then run as an
      // unprivileged host uid.
      ...(gvisor ? {} : { UsernsMode: 'host' }),
      Memory: memoryBytes,
      MemorySwap: memoryBytes,
      PidsLimit: gvisor ? spec.pids + RUNSC_THREAD_ALLOWANCE : spec.pids,
      NanoCpus: Math.round(o.cpus * 1e9),
      ReadonlyRootfs: true,
      Tmpfs: {
        // The runner uid owns /work (a mode alone is overridden by the image's folder on copy-up).
        '/work': `rw,exec,nosuid,nodev,size=${o.workdirMb}m,mode=0755,uid=${o.runnerUid},gid=${o.runnerUid}`,
        '/tmp': `rw,exec,nosuid,nodev,size=${o.tmpMb}m,mode=1777`,
      },
      CapDrop: ['ALL'],
      // gVisor only: the agent (the sandbox's root, PID 1) needs these to drop to the runner uid and to kill its
      // processes. Under runc it is the runner uid and needs none.
      ...(gvisor ? { CapAdd: ['SETUID', 'SETGID', 'KILL'] } : {}),
      SecurityOpt: ['no-new-privileges', SECCOMP],
      IpcMode: 'private',
      ShmSize: SHM_MB * 1024 * 1024,
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 1024 }],
      // Output goes over the attach stream only; a log driver would write every byte to disk.
      LogConfig: { Type: 'none', Config: {} },
      AutoRemove: false,
    },
  };
}
