/** The recording link and its readiness are the same for every CRM: src/crm/shared/recordingLink.ts. */
export { mayWaitForRecording, recordingFileName, recordingLink, recordingWaitUntil, waitForRecording, writebackRecordingWait } from '../../shared/recordingLink.js';
