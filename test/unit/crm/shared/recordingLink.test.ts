import { describe, expect, it } from 'vitest';
import { mayWaitForRecording, recordingWaitUntil } from '../../../../src/crm/shared/recordingLink.js';

/**
 * A CRM write of a call waits for its recording's MP3 until a minute after the call ended — one
 * deadline for the call's write-back and the robot's answer, so the workflow does not wait a second
 * minute for a copy the timeline entry already went without.
 */
const ended = new Date('2026-12-05T10:00:00Z');
const at = (s: number) => new Date(ended.getTime() + s * 1000);
const call = { endedAt: ended, recordingSource: 'sandbox:rec', recordingId: 'm1', recordingMp3Id: null, recordingMp3Error: null };

describe('how long a CRM write waits for the recording', () => {
  it('until a minute after the call ended, whenever the write runs', () => {
    expect(recordingWaitUntil(call, at(5))).toEqual(at(60));
    expect(recordingWaitUntil(call, at(50))).toEqual(at(60));
    expect(mayWaitForRecording(call, 0, at(5))).toBe(true);
    expect(mayWaitForRecording(call, 0, at(59))).toBe(true);
  });

  it('not once that minute is over: a second job of the call (the robot answer) goes without waiting', () => {
    expect(mayWaitForRecording(call, 0, at(60))).toBe(false);
    expect(mayWaitForRecording(call, 0, at(3600))).toBe(false);
  });

  it('once per job, and not for a recording that is ready or has none to make', () => {
    expect(mayWaitForRecording(call, 1, at(5))).toBe(false);
    expect(mayWaitForRecording({ ...call, recordingMp3Id: 'm2' }, 0, at(5))).toBe(false);
    expect(mayWaitForRecording({ ...call, recordingMp3Error: 'not audio' }, 0, at(5))).toBe(false);
    expect(mayWaitForRecording({ ...call, recordingSource: null, recordingId: null }, 0, at(5))).toBe(false);
  });

  it('a platform file not stored yet is waited for too', () => {
    expect(mayWaitForRecording({ ...call, recordingId: null }, 0, at(5))).toBe(true);
  });
});
