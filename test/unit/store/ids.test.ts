import { describe, expect, it } from 'vitest';
import { validate, version } from 'uuid';
import { newId } from '../../../src/store/ids.js';

describe('record ids', () => {
  it('are valid v7 UUIDs, all different and in creation order, well past one pool of random bytes', () => {
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.every((id) => validate(id) && version(id) === 7)).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
  });

  it('carry the time they were made', () => {
    const before = Date.now();
    const id = newId();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now());
  });
});
