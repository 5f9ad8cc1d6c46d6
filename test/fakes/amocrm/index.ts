/**
 * amoCRM / Kommo emulator for Dozvon's integration, browser and bench runs. README.md says what is
 * emulated and which brief sections each behaviour follows.
 */
export { startAmoEmulator, type AmoEmulator, type EmulatorOptions } from './emulator.js';
export { Account, type AccountOptions, type Fault, type FaultMatcher } from './account.js';
export { EmulatorClock } from './clock.js';
export { encodeForm } from './hooks.js';
export { WON_STATUS_ID, LOST_STATUS_ID, type ContactSeed, type LeadSeed, type UserSeed } from './store.js';
export type * from './types.js';
