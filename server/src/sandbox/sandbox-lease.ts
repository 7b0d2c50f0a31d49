import type { AgentRequest } from './agent-protocol.js';
import { applyPlan, type LimitPlan } from './limit-policy.js';
import type { ExecuteOptions, Execution, Sandbox } from './sandbox.js';

/**
 * One acquired sandbox with the limit policy decided for its run. `execute` applies the policy (limits before the
 * first stage, the pause and new limits before the run stage); `release` hands the container back to be removed.
 */
export class SandboxLease {
  private released = false;

  constructor(
    readonly sandbox: Sandbox,
    readonly plan: LimitPlan,
    private readonly onRelease: (sandbox: Sandbox) => void,
  ) {}

  get id(): string {
    return this.sandbox.id;
  }

  /** Applies the first stage's limits where the plan says so; bounded by the engine deadline. */
  async prepare(signal?: AbortSignal): Promise<void> {
    if (this.plan.initial) await this.sandbox.setLimits(this.plan.initial, signal);
  }

  /**
   * Runs the request under the plan. The caller's `beforeStage` (a stage it asked to pause before) is asked after
   * the plan's own limit change, which comes before the first run stage.
   */
  execute(request: AgentRequest, options: ExecuteOptions): Execution {
    const beforeRun = this.plan.beforeRun;
    const { signal, beforeStage } = options;
    const firstRun = request.stages.findIndex((s) => s.name === 'run');
    const planned = applyPlan(request, this.plan);
    if (!beforeRun && !beforeStage) return this.sandbox.execute(planned, options);
    return this.sandbox.execute(planned, {
      ...options,
      beforeStage: async (stage) => {
        if (beforeRun && stage === firstRun) await this.sandbox.setLimits(beforeRun, signal);
        return beforeStage ? beforeStage(stage) : true;
      },
    });
  }

  /**
   * After a sandbox fault: whether the engine killed the whole container for lack of memory (gVisor does), which
   * is the program's doing, not the server's.
   */
  wasOomKilled(): Promise<boolean> {
    return this.sandbox.wasOomKilled();
  }

  /** Removes the container in the background and refills its pool. Safe to call more than once. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.onRelease(this.sandbox);
  }
}
