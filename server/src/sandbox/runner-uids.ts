/**
 * The host uids programs run as: every container gets its own runner uid, so that one run cannot use up a
 * per-uid kernel quota (inotify instances and watches, pipe buffer pages, RLIMIT_NPROC, POSIX message queue
 * bytes, pending signals) of another. Under runc there is no user namespace (see docs/security.md for why: with
 * Docker's userns-remap the kernel charges those quotas to the namespace's owner, host root, for every container
 * at once), so the uid inside the container is the uid on the host.
 *
 * The range stays below 65536 so that it also fits inside a userns-remap range (gVisor containers use one).
 * No host account may use it; the runtime images have no passwd entry for these uids (HOME is set).
 */
export const RUNNER_UIDS = { first: 40000, count: 16000 } as const;

/** Whether a uid belongs to the runner range (on the host under runc, inside the sandbox under gVisor). */
export function isRunnerUid(uid: number): boolean {
  return Number.isInteger(uid) && uid >= RUNNER_UIDS.first && uid < RUNNER_UIDS.first + RUNNER_UIDS.count;
}

/**
 * Hands out runner uids to the containers of one server: never one that a live container of this server holds,
 * and round-robin from a random start, so a uid comes back only after the whole range has been used and two
 * servers sharing an engine rarely meet (if they do, the two runs only share those quotas: separate PID
 * namespaces and file systems still keep them apart).
 *
 * @example
 *   const uids = new RunnerUidPool();
 *   const uid = uids.acquire(); // e.g. 47113
 *   uids.release(uid);
 */
export class RunnerUidPool {
  private readonly inUse = new Set<number>();
  private next: number;

  constructor(
    private readonly first: number = RUNNER_UIDS.first,
    private readonly count: number = RUNNER_UIDS.count,
    start: number = Math.floor(Math.random() * count),
  ) {
    this.next = start % count;
  }

  /** A uid no live container of this pool holds. Throws when every uid of the range is taken. */
  acquire(): number {
    for (let tries = 0; tries < this.count; tries++) {
      const uid = this.first + this.next;
      this.next = (this.next + 1) % this.count;
      if (!this.inUse.has(uid)) {
        this.inUse.add(uid);
        return uid;
      }
    }
    throw new Error(`all ${this.count} runner uids are in use`);
  }

  /** Gives a uid back once its container is gone. Releasing twice is harmless. */
  release(uid: number): void {
    this.inUse.delete(uid);
  }

  /** How many uids live containers hold. */
  get size(): number {
    return this.inUse.size;
  }
}
