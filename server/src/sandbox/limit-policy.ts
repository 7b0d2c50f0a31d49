import type { AgentRequest } from './agent-protocol.js';
import type { ContainerLimits } from './sandbox.js';

/** The container limits a run needs: its first stage's, and its run stage's (they differ after a compile). */
export interface RunContainerLimits {
  first: ContainerLimits;
  run: ContainerLimits;
}

/** How one run gets its limits, decided once when it acquires a container. */
export interface LimitPlan {
  /** Make a container to measure instead of taking a warm one (the engine cannot change a warm one's limits). */
  dedicated: boolean;
  /** Applied to the container before the first stage; null when it already has them. */
  initial: ContainerLimits | null;
  /** Applied while the agent pauses before the run stage (P/G frames); null: no pause, limits stay. */
  beforeRun: ContainerLimits | null;
}

/** True when two stages need different container limits, so the engine must change them in between. */
export function limitsDiffer(a: ContainerLimits, b: ContainerLimits): boolean {
  return a.memoryMb !== b.memoryMb || a.pids !== b.pids;
}

/**
 * The limit policy, in one place. Under runc the engine changes a running container's memory and pids
 * (`docker update`): a warm container gets the first stage's limits, and the run stage's after a compile while the
 * agent pauses. Under gVisor (runsc has no update) limits are fixed at creation: a run whose first stage does not
 * fit the pool's containers gets a container made to measure, and the run stage keeps the first stage's limits
 * (docs/security.md).
 */
export function planLimits(
  canUpdateLimits: boolean,
  pool: ContainerLimits,
  wanted: RunContainerLimits,
): LimitPlan {
  if (!canUpdateLimits)
    return { dedicated: limitsDiffer(pool, wanted.first), initial: null, beforeRun: null };
  return {
    dedicated: false,
    initial: limitsDiffer(pool, wanted.first) ? wanted.first : null,
    beforeRun: limitsDiffer(wanted.first, wanted.run) ? wanted.run : null,
  };
}

/**
 * The request as the agent must get it under `plan`: the first run stage pauses (P/G) when the plan changes
 * limits before it; a stage the caller already made pause (a test case under stopOnFirstFailure) still does.
 * Returns a copy; the caller's request is never changed.
 */
export function applyPlan(request: AgentRequest, plan: LimitPlan): AgentRequest {
  const firstRun = request.stages.findIndex((s) => s.name === 'run');
  return {
    ...request,
    stages: request.stages.map((stage, i) => ({
      ...stage,
      pauseBefore: stage.pauseBefore || (i > 0 && i === firstRun && plan.beforeRun !== null),
    })),
  };
}
