import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { CONTAINER_LABELS, containerCreateOptions } from './container-config.js';
import { DockerSandbox, NO_QUIRKS, withQuirks, type RuntimeQuirks } from './docker-sandbox.js';
import { encodePrestart } from './agent-protocol.js';
import { RunnerUidPool } from './runner-uids.js';
import { removeContainer } from './container-removal.js';
import { abortedError, describe, engineCall } from './engine-call.js';
import { SandboxError, type Sandbox, type SandboxDriver, type SandboxSpec } from './sandbox.js';

export { CONTAINER_LABELS, isRunnerUid, RUNNER_UIDS } from './container-config.js';

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
  /** Longest any one engine call (create, attach, start, update, inspect, remove, ping) may take. */
  engineTimeoutMs: number;
  /** Called with anything an agent writes to its stderr (diagnostics). */
  onAgentLog?: (containerId: string, line: string) => void;
}

/** `host:pid` of this process, so a later server can tell whether a container's owner is still alive. */
function ownerTag(): string {
  return `${hostname()}:${process.pid}`;
}

function isOwnerAlive(owner: string | undefined, running: ReadonlySet<string>): boolean {
  if (!owner) return false;
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) {
    // A worker in a container on this engine (compose) is named by its container's short id: gone from the
    // engine's running containers, it is dead, whatever pid it had. Any other host: not ours to judge.
    if (host !== undefined && /^[0-9a-f]{12}$/.test(host)) return running.has(host);
    return true;
  }
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Under gVisor a stage's CPU time, as the sandbox kernel accounts it, reads about 2.5 times the host's own
 * accounting of the same work (measured; docs/security.md), so a multi-threaded compiler or runtime hit its CPU
 * limit long before its wall-clock limit. The container's CPU quota already bounds real CPU use by the wall
 * limit, so under runsc the agent's CPU limit is widened by this factor and the wall limit decides.
 */
const RUNSC_CPU_TIME_FACTOR = 3;

/**
 * gVisor's limits as the agent must set them: the CPU factor above, and RLIMIT_NPROC one lower, since the
 * Sentry (runsc 20240729) refuses a fork only when the uid already has more tasks than the limit, where Linux
 * refuses it at the limit (measured: `ulimit -u 20` lets 21 processes exist under runsc, 20 under runc).
 */
const RUNSC_QUIRKS: RuntimeQuirks = { cpuTimeFactor: RUNSC_CPU_TIME_FACTOR, processesOverCount: true };

/** The real sandbox driver: Docker Engine API over its unix socket, via dockerode. */
export class DockerSandboxDriver implements SandboxDriver {
  private readonly docker: Docker;
  /** A runner uid per live container (docs/security.md: per-uid kernel quotas). */
  private readonly runnerUids = new RunnerUidPool();

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
      // dockerode's ping takes an abortSignal; its type declarations lag behind.
      const ping = this.docker.ping.bind(this.docker) as (opts: {
        abortSignal: AbortSignal;
      }) => Promise<unknown>;
      await engineCall('ping', this.options.engineTimeoutMs, (abortSignal) => ping({ abortSignal }));
    } catch (err) {
      throw new SandboxError(`the Docker engine does not answer: ${describe(err)}`, 'unavailable');
    }
  }

  async inspectImage(image: string): Promise<Record<string, string> | null> {
    try {
      const info = await engineCall('image inspect', this.options.engineTimeoutMs, () =>
        this.docker.getImage(image).inspect(),
      );
      return info.Config?.Labels ?? {};
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw new SandboxError(`cannot inspect image ${image}: ${describe(err)}`, 'unavailable');
    }
  }

  async create(spec: SandboxSpec, signal?: AbortSignal): Promise<Sandbox> {
    const o = this.options;
    const timeout = o.engineTimeoutMs;
    const outer = signal ? { outer: signal } : {};
    const removeLate = (container: Docker.Container) =>
      void container.remove({ force: true }).catch(() => undefined);
    const runnerUid = this.runnerUids.acquire();
    const releaseUid = () => this.runnerUids.release(runnerUid);
    let container: Docker.Container;
    try {
      container = await engineCall(
        'create',
        timeout,
        (abortSignal) =>
          this.docker.createContainer({
            ...containerCreateOptions(spec, {
              instanceId: o.instanceId,
              owner: ownerTag(),
              runtime: o.runtime,
              cpus: o.cpus,
              workdirMb: o.workdirMb,
              tmpMb: o.tmpMb,
              runnerUid,
            }),
            abortSignal,
          }),
        { ...outer, onLate: removeLate },
      );
    } catch (err) {
      releaseUid();
      if (err instanceof SandboxError && err.reason === 'cancelled') throw err;
      throw new SandboxError(`cannot create a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
    let sandbox: DockerSandbox | null = null;
    try {
      // Attach before start, or the agent's ready frame could be lost.
      const stream = await engineCall(
        'attach',
        timeout,
        async (abortSignal) =>
          (await container.attach({
            stream: true,
            stdin: true,
            stdout: true,
            stderr: true,
            hijack: true,
            abortSignal,
          })) as unknown as Duplex,
        { ...outer, onLate: (late) => late.destroy() },
      );
      const quirks = o.runtime === 'runsc' ? RUNSC_QUIRKS : NO_QUIRKS;
      sandbox = new DockerSandbox(
        container,
        stream,
        spec,
        timeout,
        (line) => o.onAgentLog?.(container.id, line),
        quirks,
      );
      // Written before the start, so the agent reads it first and has its interpreter ready before Y.
      if (spec.prestart) {
        stream.write(encodePrestart({ ...spec.prestart, stage: withQuirks(spec.prestart.stage, quirks) }));
      }
      // The agent is PID 1: once it is gone, so is every process of this uid in the container.
      sandbox.onExit(releaseUid);
      const ready = sandbox.waitReady(o.readyTimeoutMs);
      ready.catch(() => undefined); // observed below; avoid an unhandled rejection if start throws first
      await engineCall('start', timeout, (abortSignal) => container.start({ abortSignal }), outer);
      await (signal ? raceAbort(ready, signal, 'waiting for the agent') : ready);
      return sandbox;
    } catch (err) {
      // Removal is bounded by the engine deadline, so waiting for it cannot hang the caller.
      if (sandbox) await sandbox.destroy().catch(() => undefined);
      else {
        await engineCall('remove', timeout, (abortSignal) =>
          container.remove({ force: true, abortSignal }),
        ).catch(() => undefined);
        releaseUid();
      }
      if (err instanceof SandboxError) throw err;
      throw new SandboxError(`cannot start a ${spec.language} container: ${describe(err)}`, 'unavailable');
    }
  }

  private async removeWhere(keep: (labels: Record<string, string>) => boolean): Promise<number> {
    const timeout = this.options.engineTimeoutMs;
    const containers = await engineCall('list', timeout, (abortSignal) =>
      this.docker.listContainers({
        all: true,
        filters: { label: [`${CONTAINER_LABELS.managed}=true`] },
        abortSignal,
      }),
    );
    const doomed = containers.filter((c) => !keep(c.Labels ?? {}));
    await Promise.all(
      doomed.map((c) => removeContainer(this.docker.getContainer(c.Id), timeout).catch(() => undefined)),
    );
    return doomed.length;
  }

  async removeOrphans(): Promise<number> {
    const running = await engineCall('list', this.options.engineTimeoutMs, (abortSignal) =>
      this.docker.listContainers({ abortSignal }),
    );
    const alive = new Set(running.map((c) => c.Id.slice(0, 12)));
    return this.removeWhere(
      (labels) =>
        labels[CONTAINER_LABELS.instance] === this.options.instanceId ||
        isOwnerAlive(labels[CONTAINER_LABELS.owner], alive),
    );
  }

  removeOwned(): Promise<number> {
    return this.removeWhere((labels) => labels[CONTAINER_LABELS.instance] !== this.options.instanceId);
  }
}

/** Rejects with the abort's error as soon as `signal` fires, else settles as `promise` does. */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal, what: string): Promise<T> {
  if (signal.aborted) return Promise.reject(abortedError(what, signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortedError(what, signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
