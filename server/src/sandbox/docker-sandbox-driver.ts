import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { describe, DockerSandbox } from './docker-sandbox.js';
import { SandboxError, type Sandbox, type SandboxDriver, type SandboxSpec } from './sandbox.js';

/** Labels on every container CodeRunner creates; orphan clean-up keys on them. */
export const CONTAINER_LABELS = {
  managed: 'coderunner.managed',
  instance: 'coderunner.instance',
  owner: 'coderunner.owner',
  language: 'coderunner.language',
} as const;

export interface DockerDriverOptions {
  docker: Docker;
  /** Unique id of this server instance, written on every container it creates. */
  instanceId: string;
  /** OCI runtime: runc or runsc (gVisor). */
  runtime: string;
  cpus: number;
  workdirMb: number;
  tmpMb: number;
  readyTimeoutMs: number;
  /** Called with anything an agent writes to its stderr (diagnostics). */
  onAgentLog?: (containerId: string, line: string) => void;
}

/** The unprivileged uid (and gid) the agent runs programs as; the runtime images create it as `runner`. */
export const RUNNER_UID = 10001;

/**
 * Under gVisor the pids limit counts the sandbox kernel's own host threads (the Sentry's Go runtime), not just the
 * program's: without this allowance a program with a few threads starves the Sentry, which then dies.
 */
const RUNSC_THREAD_ALLOWANCE = 192;

/** `host:pid` of this process, so a later server can tell whether a container's owner is still alive. */
function ownerTag(): string {
  return `${hostname()}:${process.pid}`;
}

function isOwnerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return true; // another machine's server sharing the engine: not ours to judge
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The real sandbox driver: Docker Engine API over its unix socket, via dockerode. */
export class DockerSandboxDriver implements SandboxDriver {
  private readonly docker: Docker;

  constructor(private readonly options: DockerDriverOptions) {
    this.docker = options.docker;
  }

  get canUpdateLimits(): boolean {
    // runsc has no `update`: limits are fixed when the container is created.
    return this.options.runtime !== 'runsc';
  }

  /** The id written on every container this driver creates. */
  get instanceId(): string {
    return this.options.instanceId;
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw new SandboxError(`the Docker engine does not answer: ${describe(err)}`, 'unavailable');
    }
  }

  async inspectImage(image: string): Promise<Record<string, string> | null> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return info.Config?.Labels ?? {};
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw new SandboxError(`cannot inspect image ${image}: ${describe(err)}`, 'unavailable');
    }
  }

  async create(spec: SandboxSpec): Promise<Sandbox> {
    const o = this.options;
    const memoryBytes = spec.memoryMb * 1024 * 1024;
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
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
          [CONTAINER_LABELS.owner]: ownerTag(),
          [CONTAINER_LABELS.language]: spec.language,
        },
        HostConfig: {
          NetworkMode: 'none',
          Runtime: o.runtime,
          Memory: memoryBytes,
          MemorySwap: memoryBytes,
          PidsLimit: this.options.runtime === 'runsc' ? spec.pids + RUNSC_THREAD_ALLOWANCE : spec.pids,
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
      });
    } catch (err) {
      throw new SandboxError(`cannot create a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
    let sandbox: DockerSandbox | null = null;
    try {
      // Attach before start, or the agent's ready frame could be lost.
      const stream = (await container.attach({
        stream: true,
        stdin: true,
        stdout: true,
        stderr: true,
        hijack: true,
      })) as unknown as Duplex;
      sandbox = new DockerSandbox(container, stream, spec, (line) => o.onAgentLog?.(container.id, line));
      const ready = sandbox.waitReady(o.readyTimeoutMs);
      ready.catch(() => undefined); // observed below; avoid an unhandled rejection if start throws first
      await container.start();
      await ready;
      return sandbox;
    } catch (err) {
      if (sandbox) await sandbox.destroy().catch(() => undefined);
      else await container.remove({ force: true }).catch(() => undefined);
      if (err instanceof SandboxError) throw err;
      throw new SandboxError(`cannot start a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
  }

  private async removeWhere(keep: (labels: Record<string, string>) => boolean): Promise<number> {
    const containers = await this.docker.listContainers({
      all: true,
      filters: { label: [`${CONTAINER_LABELS.managed}=true`] },
    });
    const doomed = containers.filter((c) => !keep(c.Labels ?? {}));
    await Promise.all(
      doomed.map((c) =>
        this.docker
          .getContainer(c.Id)
          .remove({ force: true, v: true })
          .catch(() => undefined),
      ),
    );
    return doomed.length;
  }

  removeOrphans(): Promise<number> {
    return this.removeWhere(
      (labels) =>
        labels[CONTAINER_LABELS.instance] === this.options.instanceId ||
        isOwnerAlive(labels[CONTAINER_LABELS.owner]),
    );
  }

  removeOwned(): Promise<number> {
    return this.removeWhere((labels) => labels[CONTAINER_LABELS.instance] !== this.options.instanceId);
  }
}
