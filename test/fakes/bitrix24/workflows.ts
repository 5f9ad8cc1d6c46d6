import { randomBytes, randomInt } from 'node:crypto';
import { authBlock, postToApp } from './appCaller.js';
import { phpUniqId } from './ids.js';
import { isRecord } from './params.js';
import type { PortalCore } from './portalCore.js';
import type { CrmEntityKind, OutboundPostRecord } from './types.js';
import { finish, settleTimeout, type WorkflowState, type WorkflowStatus } from './workflowState.js';

export type { WorkflowStatus } from './workflowState.js';

export interface RunRobotOptions {
  /** Robot CODE as registered with bizproc.robot.add. */
  code: string;
  /** `DEAL_123`, `LEAD_5`, `CONTACT_7`, `COMPANY_9`. */
  document: string;
  /** Values for the robot's PROPERTIES (strings; arrays for Multiple). Defaults fill the rest. */
  properties?: Record<string, string | string[]>;
  /**
   * `timeout_duration` sent to the handler, in seconds; the workflow stops waiting after that much
   * emulator time. Default 660 (the value in the captured real payload). 0 = never.
   */
  timeoutDuration?: number;
}

const DOCUMENT_CLASS: Record<CrmEntityKind, string> = {
  deal: 'CCrmDocumentDeal',
  lead: 'CCrmDocumentLead',
  contact: 'CCrmDocumentContact',
  company: 'CCrmDocumentCompany',
};

/** A running (or finished) workflow started for a robot; what a test inspects and drives. */
export class Workflow {
  constructor(
    private readonly state: WorkflowState,
    private readonly portal: PortalCore,
  ) {}

  get id(): string {
    return this.state.id;
  }

  /** `event_token` as posted to the handler (`<workflowId>|<activityName>|<signature>`). */
  get eventToken(): string {
    return this.state.eventToken;
  }

  get code(): string {
    return this.state.code;
  }

  get documentId(): readonly [string, string, string] {
    return this.state.documentId;
  }

  get properties(): Readonly<Record<string, unknown>> {
    return this.state.properties;
  }

  /** `waiting` until bizproc.event.send, a timeout or a test ends it. */
  get status(): WorkflowStatus {
    settleTimeout(this.state, this.portal.now());
    return this.state.status;
  }

  /** Lines written by bizproc.activity.log and the LOG_MESSAGE of bizproc.event.send. */
  get logs(): string[] {
    return this.state.logs.map((l) => l.message);
  }

  /** RETURN_VALUES from bizproc.event.send, or null. */
  get returnValues(): Readonly<Record<string, unknown>> | null {
    return this.state.returnValues;
  }

  /** The POST to the robot's HANDLER and the app's answer. */
  get delivery(): OutboundPostRecord | null {
    return this.state.delivery;
  }

  /** Makes the workflow time out now: its event token goes stale (403 on event.send). */
  timeout(): void {
    finish(this.state, 'timed_out', this.portal.now());
  }

  /** A user stops the workflow (or the deal moves on): the token goes stale. */
  terminate(): void {
    finish(this.state, 'terminated', this.portal.now());
  }

  /**
   * Resolves once the workflow is no longer waiting (event.send arrived, timeout, termination).
   * `realTimeoutMs` is wall-clock patience, not emulator time.
   */
  async settled(realTimeoutMs = 10_000): Promise<WorkflowStatus> {
    if (this.status !== 'waiting') return this.state.status;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.state.listeners.delete(done);
        reject(new Error(`Workflow ${this.id} still waiting after ${realTimeoutMs} ms`));
      }, realTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.state.listeners.delete(done);
        resolve();
      };
      this.state.listeners.add(done);
    });
    return this.state.status;
  }
}

function parseDocument(portal: PortalCore, document: string): { kind: CrmEntityKind; id: number } {
  const m = /^(DEAL|LEAD|CONTACT|COMPANY)_(\d+)$/.exec(document);
  if (!m) throw new Error(`Unsupported document ${document}; use DEAL_<id>, LEAD_<id>, CONTACT_<id> or COMPANY_<id>`);
  const kind = (m[1] ?? '').toLowerCase() as CrmEntityKind;
  const id = Number(m[2]);
  if (!portal.crm.get(kind, id)) throw new Error(`No ${kind} ${id} on the portal`);
  return { kind, id };
}

/**
 * Starts a workflow that reaches the robot `code` and POSTs the robot payload to its HANDLER
 * (brief §2.3): form-encoded, `document_id[0..2]`, `document_type`, `properties[...]`,
 * `event_token`, `use_subscription`, `timeout_duration`, `ts` and `auth[...]` of AUTH_USER_ID.
 */
export async function runRobot(portal: PortalCore, options: RunRobotOptions): Promise<Workflow> {
  const robot = portal.robots.get(options.code);
  if (!robot) throw new Error(`Robot ${options.code} is not registered on the portal`);
  if (!portal.appState.installed) throw new Error('The app is not installed: robots of a half-installed app do not run');
  const { kind, id } = parseDocument(portal, options.document);

  const properties: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(robot.properties)) {
    if (isRecord(prop) && prop['Default'] !== undefined && prop['Default'] !== null) properties[key] = prop['Default'];
  }
  Object.assign(properties, options.properties ?? {});

  const now = portal.now();
  const workflowId = phpUniqId(now);
  const part = () => String(randomInt(10_000, 99_999));
  const activityName = `A${part()}_${part()}_${part()}_${part()}`;
  const eventToken = `${workflowId}|${activityName}|${randomBytes(32).toString('base64')}`;
  const timeoutDuration = options.timeoutDuration ?? 660;
  const waits = robot.useSubscription !== 'N';
  const state: WorkflowState = {
    id: workflowId,
    eventToken,
    code: robot.code,
    documentId: ['crm', DOCUMENT_CLASS[kind], `${kind.toUpperCase()}_${id}`],
    documentType: ['crm', DOCUMENT_CLASS[kind], kind.toUpperCase()],
    properties,
    startedAt: now,
    timeoutAt: waits && timeoutDuration > 0 ? now + timeoutDuration * 1000 : null,
    waits,
    status: 'waiting',
    logs: [],
    returnValues: null,
    finishedAt: null,
    delivery: null,
    listeners: new Set(),
  };
  portal.workflows.set(workflowId, state);

  const tokens = portal.issueTokens(portal.users.has(robot.authUserId) ? robot.authUserId : 1);
  state.delivery = await postToApp(portal, {
    kind: 'robot',
    url: robot.handler,
    name: robot.code,
    form: {
      workflow_id: workflowId,
      code: robot.code,
      document_id: state.documentId,
      document_type: state.documentType,
      event_token: eventToken,
      properties,
      use_subscription: waits ? 'Y' : 'N',
      timeout_duration: String(timeoutDuration),
      ts: String(Math.floor(now / 1000)),
      auth: authBlock(portal, tokens, true),
    },
  });
  // Fire-and-forget robots complete as soon as they are called; their token is stale at once.
  if (!waits) finish(state, 'completed', portal.now());
  return new Workflow(state, portal);
}
