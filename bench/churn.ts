// Path (e): raw container churn through the Engine API: create + start + remove (forced), N at a time, with the
// same image. This is the ceiling for any design that uses one fresh container per run.
import type Docker from 'dockerode';
import { runConcurrent, type Bounds, type ConcurrentResult } from './stats.js';

export const BENCH_LABEL_KEY = 'coderunner.bench';

/** One create+start+remove of a container (a `sleep` that the forced remove ends, as CodeRunner's are). */
async function churnOnce(docker: Docker, image: string, labelValue: string): Promise<void> {
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: ['sleep', '60'],
    Cmd: [],
    Labels: { [BENCH_LABEL_KEY]: labelValue },
    HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'none', Config: {} } },
  });
  try {
    await container.start();
  } finally {
    await container.remove({ force: true });
  }
}

export function benchChurn(
  docker: Docker,
  bounds: Bounds,
  concurrency: number,
  image: string,
  labelValue: string,
): Promise<ConcurrentResult> {
  return runConcurrent(bounds, concurrency, () => churnOnce(docker, image, labelValue));
}

/** Force-removes every container carrying this bench run's label (whatever state it is in). */
export async function removeBenchContainers(docker: Docker, labelValue: string): Promise<number> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${BENCH_LABEL_KEY}=${labelValue}`] },
  });
  await Promise.allSettled(list.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  return list.length;
}
