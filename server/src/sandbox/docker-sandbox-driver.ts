import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { CONTAINER_LABELS, containerCreateOptions } from './container-config.js';
import { describe, DockerSandbox } from './docker-sandbox.js';
import { SandboxError, type Sandbox, type SandboxDriver, type SandboxSpec } from './sandbox.js';

export { CONTAINER_LABELS, RUNNER_UID } from './container-config.js';

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
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(
        containerCreateOptions(spec, {
          instanceId: o.instanceId,
          owner: ownerTag(),
          runtime: o.runtime,
          cpus: o.cpus,
          workdirMb: o.workdirMb,
          tmpMb: o.tmpMb,
        }),
      );
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
