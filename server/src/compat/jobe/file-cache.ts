import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Jobe's file cache (app/Libraries/FileCache.php, app/Controllers/Files.php): files PUT under an id that
 * runs then name in `file_list`. Kept on disk so Moodle's "HEAD, PUT if 404, run" flow survives a restart,
 * and bounded: past `maxBytes` the least recently used files are removed first.
 *
 * @example
 *   const cache = await JobeFileCache.open('/srv/.state/jobe-files', 256 * 1024 * 1024);
 *   await cache.put('abc12345', Buffer.from('data'));
 */
export class JobeFileCache {
  /** id -> size and last use (ms), mirrored from the folder at open. */
  private readonly entries = new Map<string, { size: number; used: number }>();
  private total = 0;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {}

  /** Opens (creating it if needed) the cache folder and indexes what an earlier run left there. */
  static async open(dir: string, maxBytes: number): Promise<JobeFileCache> {
    const cache = new JobeFileCache(dir, maxBytes);
    await mkdir(dir, { recursive: true });
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      if (!isFileId(name)) {
        // A temporary file of a PUT that a crash interrupted.
        if (name.startsWith('.tmp-')) await rm(path, { force: true });
        continue;
      }
      const info = await stat(path);
      cache.entries.set(name, { size: info.size, used: info.mtimeMs });
      cache.total += info.size;
    }
    await cache.evict(0);
    return cache;
  }

  /** True when `id` is cached. */
  has(id: string): boolean {
    return isFileId(id) && this.entries.has(id);
  }

  /** The cached contents of `id`, or null. */
  async get(id: string): Promise<Buffer | null> {
    const entry = isFileId(id) ? this.entries.get(id) : undefined;
    if (!entry) return null;
    try {
      const data = await readFile(join(this.dir, id));
      entry.used = Date.now();
      const now = new Date(entry.used);
      await utimes(join(this.dir, id), now, now).catch(() => undefined);
      return data;
    } catch {
      this.forget(id);
      return null;
    }
  }

  /** Stores `data` under `id`; false when it is larger than the whole cache may hold. */
  async put(id: string, data: Buffer): Promise<boolean> {
    if (!isFileId(id)) throw new Error(`not a file id: ${id}`);
    if (data.length > this.maxBytes) return false;
    await this.evict(data.length, id);
    const tmp = join(this.dir, `.tmp-${randomUUID()}`);
    await writeFile(tmp, data);
    await rename(tmp, join(this.dir, id));
    this.forget(id);
    this.entries.set(id, { size: data.length, used: Date.now() });
    this.total += data.length;
    return true;
  }

  /** Bytes held now. */
  get size(): number {
    return this.total;
  }

  private forget(id: string): void {
    const old = this.entries.get(id);
    if (old) this.total -= old.size;
    this.entries.delete(id);
  }

  /** Removes least recently used files until `incoming` more bytes fit (`replacing` is about to be rewritten). */
  private async evict(incoming: number, replacing?: string): Promise<void> {
    const kept = this.total - (replacing ? (this.entries.get(replacing)?.size ?? 0) : 0);
    let excess = kept + incoming - this.maxBytes;
    if (excess <= 0) return;
    const oldest = [...this.entries].filter(([id]) => id !== replacing).sort((a, b) => a[1].used - b[1].used);
    for (const [id, entry] of oldest) {
      if (excess <= 0) break;
      await rm(join(this.dir, id), { force: true });
      this.forget(id);
      excess -= entry.size;
    }
  }
}

/** Jobe's routes take `(:alphanum)` ids (app/Config/Routes.php). */
export function isFileId(id: string): boolean {
  return /^[A-Za-z0-9]{1,128}$/.test(id);
}
