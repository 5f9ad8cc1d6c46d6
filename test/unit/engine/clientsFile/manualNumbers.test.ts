import { describe, expect, it } from 'vitest';
import { parseManualNumbers } from '../../../../src/engine/clientsFile/index.js';

describe('parseManualNumbers', () => {
  it('reads the seed\'s formats, one per line or several on a line', () => {
    const out = parseManualNumbers('84959898533\n\n8 (495) 989-85-33, +7 900 000-00-04\r\n88003337533; +7 900 000-00-05 +7 900 000-00-06', 'RU');
    expect(out.phones).toEqual(['+74959898533', '+79000000004', '+78003337533', '+79000000005', '+79000000006']);
    expect(out.duplicates).toBe(1);
    expect(out.errors).toEqual([]);
  });

  it('reports what it rejects with the line and the phone reason key', () => {
    const out = parseManualNumbers('12345\nabc\n79001234567', 'RU');
    expect(out.phones).toEqual(['+79001234567']);
    expect(out.errors).toEqual([
      { rowNumber: 1, value: '12345', reason: { key: 'phone.too_short', params: { value: '12345' } } },
      { rowNumber: 2, value: 'abc', reason: { key: 'phone.not_a_number', params: { value: 'abc' } } },
    ]);
  });

  it('uses the given country for national numbers', () => {
    expect(parseManualNumbers('(201) 555-0123', 'US').phones).toEqual(['+12015550123']);
  });
});
