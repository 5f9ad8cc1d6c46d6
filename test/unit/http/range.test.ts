import { describe, expect, it } from 'vitest';
import { parseRange } from '../../../src/http/recordings.js';

const size = 1000;

describe('parseRange', () => {
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }, 'a closed range'],
    ['bytes=0-0', { start: 0, end: 0 }, 'the first byte'],
    ['bytes=999-999', { start: 999, end: 999 }, 'the last byte'],
    ['bytes=500-', { start: 500, end: 999 }, 'an open range runs to the end'],
    ['bytes=0-', { start: 0, end: 999 }, 'an open range from the start'],
    ['bytes=-100', { start: 900, end: 999 }, 'a suffix range is the last n bytes'],
    ['bytes=-5000', { start: 0, end: 999 }, 'a suffix longer than the file is the whole file'],
    ['bytes=900-5000', { start: 900, end: 999 }, 'an end past the file is clamped'],
    [' bytes=10-20 ', { start: 10, end: 20 }, 'surrounding whitespace is ignored'],
  ])('%j → %j (%s)', (header, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });

  it.each([
    ['bytes=1000-', 'a start at the end of the file'],
    ['bytes=1500-1600', 'a start past the end'],
    ['bytes=-0', 'an empty suffix'],
  ])('%j is unsatisfiable (%s)', (header) => {
    expect(parseRange(header, size)).toBe('unsatisfiable');
  });

  it('an end before the start is not a valid range: it is ignored and the whole file served', () => {
    expect(parseRange('bytes=20-10', size)).toBeUndefined();
  });

  it.each([
    ['', 'no header'],
    ['bytes=0-1,5-6', 'several ranges (served as the whole file)'],
    ['bytes=-', 'neither start nor end'],
    ['items=0-10', 'another unit'],
    ['bytes=a-b', 'not numbers'],
    ['bytes 0-10', 'a malformed header'],
  ])('%j means the whole file (%s)', (header) => {
    expect(parseRange(header, size)).toBeUndefined();
  });

  it('an empty file satisfies no range', () => {
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-10', 0)).toBe('unsatisfiable');
    expect(parseRange('', 0)).toBeUndefined();
  });
});
