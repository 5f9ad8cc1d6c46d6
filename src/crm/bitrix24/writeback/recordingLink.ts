/** The recording link and its readiness are the same for every CRM: src/crm/shared/recordingLink.ts. */
export { recordingFileName, recordingLink, recordingPending, RECORDING_WAITS, RECORDING_WAIT_MS, waitForRecording } from '../../shared/recordingLink.js';
