import { describe, expect, it } from 'vitest';
import { spreadsheetSafe } from '../../../src/core/spreadsheetCell.js';

describe('spreadsheetSafe (CSV injection)', () => {
  it('turns every cell a spreadsheet would run as a formula into text', () => {
    for (const cell of ['=1+2', '=HYPERLINK("http://evil","x")', "+cmd|' /C calc'!A0", '-2+3', '@SUM(1,2)', '\t=1', '\r=1', '  =1', '+7 (900) 123-45-67', '-', '=']) {
      expect(spreadsheetSafe(cell), JSON.stringify(cell)).toBe(`'${cell}`);
    }
  });

  it('leaves plain text and plain numbers — a phone in E.164 among them — as they are', () => {
    for (const cell of ['Anna', '+79001234567', '-5', '1.5', '-0,75', '', 'a=b', 'user@example.com', '# +7 912 345 67 89', "'=already"]) {
      expect(spreadsheetSafe(cell), JSON.stringify(cell)).toBe(cell);
    }
  });
});
