import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../../src/core/errors.js';
import { mapColumns } from '../../../../src/engine/clientsFile/mapColumns.js';

const rec = (...rows: string[][]) => rows.map((cells, i) => ({ rowNumber: i + 1, cells }));
const opts = { country: 'RU', maxColumns: 100 };
const roles = (cols: ReturnType<typeof mapColumns>['columns']) =>
  cols.map((c) => (c.role === 'variable' ? `${c.variable}${c.known ? '' : '?'}` : c.role));

describe('mapColumns', () => {
  it('recognises a header by its phone column name, in Russian too', () => {
    for (const phone of ['phone', 'Телефон', 'НОМЕР', 'tel', 'Мобильный телефон']) {
      const map = mapColumns(rec([phone, 'name'], ['79000000001', 'Ivan']), ['name'], opts);
      expect(map.headerRow).toBe(true);
      expect(roles(map.columns)).toEqual(['phone', 'name']);
    }
  });

  it('takes a first row holding a phone for data', () => {
    const map = mapColumns(rec(['84959898533'], ['88003337533']), [], opts);
    expect(map.headerRow).toBe(false);
    expect(roles(map.columns)).toEqual(['phone']);
  });

  it('maps Russian and differently spelt headers onto the scenario variables', () => {
    const map = mapColumns(
      rec(['Телефон', 'ФИО', 'Компания', 'Сумма долга', 'E-Mail', 'ID'], ['79000000001', 'Иван', 'ООО', '1', 'a@b.c', '42']),
      ['name', 'company', 'email', 'amount'],
      opts,
    );
    expect(roles(map.columns)).toEqual(['phone', 'name', 'company', 'Сумма долга?', 'email', 'externalId']);
  });

  it('matches scenario names case- and punctuation-insensitively', () => {
    const map = mapColumns(rec(['PHONE', 'Order_Sum', 'first name'], ['79000000001', '1', 'Ivan']), ['orderSum', 'firstName'], opts);
    expect(roles(map.columns)).toEqual(['phone', 'orderSum', 'firstName']);
  });

  it('finds several phone columns', () => {
    const map = mapColumns(rec(['phone', 'phone2', 'Телефон 3', 'Рабочий телефон', 'name'], ['79000000001', '', '', '', 'x']), ['name'], opts);
    expect(roles(map.columns)).toEqual(['phone', 'phone', 'phone', 'phone', 'name']);
  });

  it('lets a scenario variable keep a phone-ish name, but never "phone" itself', () => {
    const map = mapColumns(rec(['phone', 'number', 'phone_model'], ['79000000001', '12', 'X']), ['number', 'phone_model', 'phone'], opts);
    expect(roles(map.columns)).toEqual(['phone', 'number', 'phone_model']);
  });

  it('keeps unknown columns under their header and ignores columns without one', () => {
    const map = mapColumns(rec(['phone', 'Город', '', 'Город'], ['79000000001', 'Москва', 'x', 'Тверь']), [], opts);
    expect(roles(map.columns)).toEqual(['phone', 'Город?', 'ignored', 'Город (2)?']);
  });

  it('finds the phone column by content when its header is unfamiliar', () => {
    const map = mapColumns(rec(['Клиент', 'Контакты'], ['Иван', '8 (495) 989-85-33'], ['Пётр', '+7 900 000-00-04']), ['name'], opts);
    expect(roles(map.columns)).toEqual(['name', 'phone']);
  });

  it('without a header names other columns column<N> rather than guessing variables', () => {
    const map = mapColumns(rec(['79000000001', 'Иван', '79000000002'], ['79000000003', 'Пётр', '']), ['name'], opts);
    expect(map.headerRow).toBe(false);
    expect(roles(map.columns)).toEqual(['phone', 'column2?', 'phone']);
  });

  it('refuses a header with no phone column and no phones below', () => {
    const err = (() => {
      try {
        mapColumns(rec(['name', 'city'], ['Иван', 'Москва']), ['name'], opts);
      } catch (e) {
        return e as DomainError;
      }
    })();
    expect(err?.key).toBe('clientsFile.errors.no_phone_column');
    expect(err?.params).toEqual({ columns: 'name, city' });
  });

  it('refuses more columns than allowed', () => {
    const wide = Array.from({ length: 101 }, (_, i) => `c${i}`);
    expect(() => mapColumns(rec(['phone', ...wide]), [], opts)).toThrow(DomainError);
  });
});
