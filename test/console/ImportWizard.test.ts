import Select from '@bitrix24/b24ui-nuxt/components/Select.vue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ImportPreview } from '../../console/src/api/types';
import ImportWizard from '../../console/src/views/campaigns/ImportWizard.vue';
import { mountWithTexts, settle, t } from './support';

/**
 * The import preview as a person uses it: pick a file, see what the server read (format, encoding,
 * delimiter, first rows, each column's role, the dry run), change a column's role — the dry run is
 * asked again with exactly that mapping — and a mapping that cannot work is refused here, in words,
 * without asking the server.
 */
const preview = (mapped = false): ImportPreview => ({
  meta: {
    format: 'csv',
    encoding: 'windows-1251',
    delimiter: ';',
    headerRow: true,
    columns: [
      { index: 0, header: 'Телефон', role: 'phone', known: true },
      mapped ? { index: 1, header: 'Клиент', role: 'variable', variable: 'name', known: true } : { index: 1, header: 'Клиент', role: 'variable', variable: 'Клиент', known: false },
    ],
    phoneColumns: ['Телефон'],
    unknownColumns: mapped ? [] : ['Клиент'],
    missingVariables: mapped ? [] : ['name'],
    sample: [
      { rowNumber: 1, cells: ['Телефон', 'Клиент'] },
      { rowNumber: 2, cells: ['+7 900 000-00-04', 'Анна'] },
      { rowNumber: 3, cells: ['12-34', 'Глеб'] },
    ],
  },
  variables: [{ name: 'name', description: 'first name', required: false }],
  report: {
    rows: 2,
    validRows: 1,
    rejectedRows: 1,
    duplicateRowsInFile: 0,
    duplicatePhonesInFile: 0,
    phones: 1,
    alreadyInCampaign: 0,
    newPhones: 1,
    errors: [{ row: 3, column: 'Телефон', value: '12-34', reason: 'phone.too_short', message: '"12-34" is too short for a phone number.' }],
    warnings: [],
    issuesTruncated: false,
  },
});

let requests: { url: string; mapping: unknown }[];
beforeEach(() => {
  requests = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      const form = init.body as FormData;
      const mapping = form.get('mapping');
      requests.push({ url, mapping: mapping ? JSON.parse(String(mapping)) : null });
      return new Response(JSON.stringify(preview(Boolean(mapping))), { status: 200, headers: { 'content-type': 'application/json' } });
    }),
  );
});
afterEach(() => vi.unstubAllGlobals());

async function withFile() {
  const w = await mountWithTexts(ImportWizard, { props: { campaignId: '00000000-0000-4000-8000-000000000001' } });
  const input = w.find('input[type="file"]');
  const file = new File(['Телефон;Клиент'], 'clients.csv', { type: 'text/csv' });
  Object.defineProperty(input.element, 'files', { value: [file] });
  await input.trigger('change');
  await settle();
  return w;
}

describe('import preview and mapping', () => {
  it('shows what the server read: format, encoding, delimiter, first rows, each column, the dry run and the rejected rows', async () => {
    const w = await withFile();
    expect(requests).toEqual([{ url: '/api/v1/campaigns/00000000-0000-4000-8000-000000000001/numbers/import/preview', mapping: null }]);
    const facts = w.get('[data-testid="file-facts"]').text();
    expect(facts).toContain('csv');
    expect(facts).toContain('windows-1251');
    expect(facts).toContain('«;»');
    const table = w.get('[data-testid="mapping"]').text();
    expect(table).toContain('Анна');
    expect(table).toContain('Клиент');
    expect(w.get('[data-testid="dry-run"]').text()).toContain(t('console.import.r_rejected', { n: 1 }));
    expect(w.get('[data-testid="rejected"]').text()).toContain('is too short for a phone number');
    // The scenario's variable no column gives, and the column the scenario does not use, are warned about.
    expect(w.text()).toContain(t('console.import.problem_missing', { variable: 'name' }));
    expect(w.text()).toContain(t('console.import.problem_unknown', { variable: 'Клиент' }));
    w.unmount();
  });

  it('a column put into a scenario variable asks for the dry run again with exactly that mapping', async () => {
    const w = await withFile();
    const selects = w.findAllComponents(Select);
    selects[1]!.vm.$emit('update:modelValue', 'var:name');
    await settle();
    expect(requests.at(-1)!.mapping).toEqual([
      { index: 0, role: 'phone' },
      { index: 1, role: 'variable', variable: 'name' },
    ]);
    expect(w.text()).not.toContain(t('console.import.problem_missing', { variable: 'name' }));
    w.unmount();
  });

  it('a mapping without a phone column is refused in words, the import disabled and nothing asked', async () => {
    const w = await withFile();
    const before = requests.length;
    w.findAllComponents(Select)[0]!.vm.$emit('update:modelValue', 'ignored');
    await settle();
    expect(w.text()).toContain(t('console.import.problem_no_phone'));
    const button = w.findAll('button').find((b) => b.text().startsWith(t('console.import.do_import', { n: 1 }).split(' ')[0]!));
    expect(button?.attributes('disabled')).toBeDefined();
    expect(requests.length).toBe(before);
    w.unmount();
  });

  it('a file the server cannot read is said in the server’s words', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => new Response(JSON.stringify({ error: { code: 'bad_request', message: 'No column holds phone numbers (columns: a, b).', details: [], requestId: 'r-1' } }), { status: 400, headers: { 'content-type': 'application/json' } })),
    );
    const w = await withFile();
    expect(w.get('[role="alert"]').text()).toContain('No column holds phone numbers');
    expect(w.text()).toContain('r-1');
    w.unmount();
  });
});
