/**
 * What a sandbox call sounded like, as a list of timed segments. The audio itself is rendered once
 * the call is over (src/voice/sandbox/renderRecording.ts), so synthesis never slows the dialogue.
 */
export type Voice = 'bot' | 'female' | 'male' | 'machine' | 'operator';

export type Segment =
  | { atMs: number; kind: 'speech'; text: string; voice: Voice }
  | { atMs: number; kind: 'beep' }
  | { atMs: number; kind: 'ringback'; ms: number }
  | { atMs: number; kind: 'wav'; wav: Buffer };

export class Recorder {
  readonly segments: Segment[] = [];
  add(segment: Segment): void {
    this.segments.push(segment);
  }
}
