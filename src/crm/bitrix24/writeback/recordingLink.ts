/** The recording link and its readiness are the same for every CRM: src/crm/shared/recordingLink.ts. */
export { recordingFileName, recordingLink, recordingPending, recordingWait, RECORDING_WAITS, recordingWaitMs } from '../../shared/recordingLink.js';
