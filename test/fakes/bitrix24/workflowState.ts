import type { OutboundPostRecord } from './types.js';

export type WorkflowStatus = 'waiting' | 'completed' | 'timed_out' | 'terminated';

/** Internal state of one workflow started for a robot (see `workflows.ts`). */
export interface WorkflowState {
  readonly id: string;
  readonly eventToken: string;
  readonly code: string;
  readonly documentId: [string, string, string];
  readonly documentType: [string, string, string];
  readonly properties: Record<string, unknown>;
  readonly startedAt: number;
  /** Emulator time when the robot stops waiting; null = never. */
  timeoutAt: number | null;
  /** Robot waits for bizproc.event.send (USE_SUBSCRIPTION not N). */
  readonly waits: boolean;
  status: WorkflowStatus;
  readonly logs: Array<{ at: number; message: string }>;
  returnValues: Record<string, unknown> | null;
  finishedAt: number | null;
  delivery: OutboundPostRecord | null;
  readonly listeners: Set<() => void>;
}

/** Applies a lapsed timeout; every reader calls this first so emulator time jumps take effect. */
export function settleTimeout(wf: WorkflowState, now: number): void {
  if (wf.status === 'waiting' && wf.timeoutAt !== null && now >= wf.timeoutAt) {
    finish(wf, 'timed_out', now);
  }
}

export function finish(wf: WorkflowState, status: Exclude<WorkflowStatus, 'waiting'>, now: number): void {
  if (wf.status !== 'waiting') return;
  wf.status = status;
  wf.finishedAt = now;
  for (const listener of [...wf.listeners]) listener();
}
