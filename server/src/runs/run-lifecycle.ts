/** The states of one run. */
export type RunState = 'queued' | 'acquiring' | 'running' | 'finished' | 'failed' | 'cancelled';

/** Every legal transition, in one place; anything else throws. */
const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['acquiring', 'failed', 'cancelled'],
  acquiring: ['running', 'failed', 'cancelled'],
  running: ['finished', 'failed', 'cancelled'],
  finished: [],
  failed: [],
  cancelled: [],
};

/** A transition the state machine does not allow: a bug in the caller, never the client's fault. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: RunState,
    readonly to: RunState,
  ) {
    super(`illegal run transition ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * The life of one run: queued → acquiring → running → finished, or failed / cancelled from any live state.
 * Records how long each state lasted.
 *
 * @example
 *   const life = new RunLifecycle();
 *   life.to('acquiring');
 *   life.durations(); // { queued: 0.4 }
 */
export class RunLifecycle {
  private current: RunState = 'queued';
  private enteredAt: number;
  private readonly spent = new Map<RunState, number>();
  private readonly listeners: Array<(from: RunState, to: RunState) => void> = [];

  constructor(private readonly now: () => number = () => performance.now()) {
    this.enteredAt = now();
    this.startedAt = this.enteredAt;
  }

  private readonly startedAt: number;

  /** The state the run is in. */
  get state(): RunState {
    return this.current;
  }

  /** True once the run is finished, failed or cancelled. */
  get terminal(): boolean {
    return TRANSITIONS[this.current].length === 0;
  }

  /** Whether `to` is legal from the current state. */
  can(to: RunState): boolean {
    return TRANSITIONS[this.current].includes(to);
  }

  /** Moves to `to`; throws IllegalTransitionError when the table does not allow it. */
  to(to: RunState): void {
    if (!this.can(to)) throw new IllegalTransitionError(this.current, to);
    const at = this.now();
    this.spent.set(this.current, (this.spent.get(this.current) ?? 0) + (at - this.enteredAt));
    const from = this.current;
    this.current = to;
    this.enteredAt = at;
    for (const listener of this.listeners) listener(from, to);
  }

  /** Calls `listener` on every transition (metrics, logs, the run store). */
  onTransition(listener: (from: RunState, to: RunState) => void): void {
    this.listeners.push(listener);
  }

  /** Milliseconds spent in each state left so far (the current one is counted up to now while live). */
  durations(): Partial<Record<RunState, number>> {
    const out: Partial<Record<RunState, number>> = {};
    for (const [state, ms] of this.spent) out[state] = ms;
    if (!this.terminal) out[this.current] = (out[this.current] ?? 0) + (this.now() - this.enteredAt);
    return out;
  }

  /** Milliseconds since the run was admitted, up to its terminal state when it has one. */
  totalMs(): number {
    return (this.terminal ? this.enteredAt : this.now()) - this.startedAt;
  }
}
