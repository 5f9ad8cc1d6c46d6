/**
 * Bitrix24 portal + OAuth server emulator for Dozvon's integration tests.
 * See README.md in this folder for the behaviours emulated and the brief sections they follow.
 */
export { startBitrix24Emulator, type Bitrix24Emulator, type OAuthRequestRecord } from './emulator.js';
export { Portal, type B24OAuthParamsLike, type HarnessUrlOptions, type InstallResult, type OpenAppOptions, type CategoryEntry, type StageSeed } from './portal.js';
export { Workflow, type RunRobotOptions, type WorkflowStatus } from './workflows.js';
export { EmulatorClock } from './clock.js';
export { encodeForm, parseForm } from './formEncoding.js';
export type * from './types.js';
