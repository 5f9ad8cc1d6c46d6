import { describe, expect, it } from 'vitest';
import { splitPhoneCell } from '../../../../src/engine/clientsFile/phoneCells.js';

const values = (cell: string) => splitPhoneCell(cell).map((c) => c.value);

describe('splitPhoneCell', () => {
  it('keeps one number written with spaces, brackets and dashes whole', () => {
    expect(values('8 (495) 989-85-33')).toEqual(['8 (495) 989-85-33']);
    expect(values(' 8 495 989 85 33 ')).toEqual(['8 495 989 85 33']);
  });

  it('splits on commas, semicolons, line breaks and spaces before a plus', () => {
    expect(values('84959898533, 88003337533')).toEqual(['84959898533', '88003337533']);
    expect(values('8 (495) 989-85-33;8 800 333-75-33')).toEqual(['8 (495) 989-85-33', '8 800 333-75-33']);
    expect(values('+7 900 000-00-01 +7 900 000-00-02')).toEqual(['+7 900 000-00-01', '+7 900 000-00-02']);
    expect(values('79000000001\n79000000002')).toEqual(['79000000001', '79000000002']);
    expect(values(' , ;')).toEqual([]);
  });

  it('expands an exact exponent form without going through a float', () => {
    expect(splitPhoneCell('7.9001234567E10')).toEqual([{ value: '79001234567', raw: '7.9001234567E10' }]);
    expect(values('7,9001234567E+10')).toEqual(['79001234567']);
    expect(values('3.80501234567E11')).toEqual(['380501234567']);
  });

  it('flags an exponent form that lost digits', () => {
    expect(splitPhoneCell('7,90012E+10')[0]?.lostDigits).toBe(true);
    expect(splitPhoneCell('7.9E10')[0]?.lostDigits).toBe(true);
  });

  it('drops the ".0" some tools add to numeric cells', () => {
    expect(values('79001234567.0')).toEqual(['79001234567']);
  });
});
