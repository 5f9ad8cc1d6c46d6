/**
 * Twilio / SignalWire / Telnyx emulator for Dozvon's integration tests. See README.md in this folder.
 */
export { startTwilioEmulator, type Faults, type Profile, type TwilioEmulator, type TwilioEmulatorOptions, type WebhookRecord } from './emulator.js';
export type { CallRecord } from './call.js';
