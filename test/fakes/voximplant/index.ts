/**
 * Voximplant emulator (Management API + VoxEngine shim running Dozvon's own scenario). See README.md.
 */
export { startVoximplantEmulator, type VoxEmulatorOptions, type VoxFaults, type VoximplantEmulator } from './emulator.js';
export type { SessionRecord } from './voxSession.js';
