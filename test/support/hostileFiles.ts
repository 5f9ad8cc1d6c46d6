import yazl from 'yazl';

/**
 * Workbooks built byte by byte (deflated with yazl, as Excel does), for tests and benches of what
 * an attacker or a broken exporter can upload: a sheet that inflates a thousandfold, a cell longer
 * than Excel allows, rows beyond Excel's grid, parts that lie about their size.
 */
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface WorkbookParts {
  /** The `<sheetData>` content (rows), or the whole sheet part when `rawSheet` is set. */
  sheet: Buffer | string;
  rawSheet?: boolean;
  sharedStrings?: Buffer | string;
  /** Extra parts, by name. */
  extra?: Record<string, Buffer | string>;
}

export async function workbook(p: WorkbookParts): Promise<Buffer> {
  const z = new yazl.ZipFile();
  const add = (name: string, data: Buffer | string) => z.addBuffer(Buffer.isBuffer(data) ? data : Buffer.from(data), name, { compressionLevel: 9 });
  add('[Content_Types].xml', `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>`);
  add('_rels/.rels', `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`);
  add('xl/workbook.xml', `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="Clients" sheetId="1" r:id="rId1"/></sheets></workbook>`);
  add(
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${PKG}"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      (p.sharedStrings ? `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` : '') +
      '</Relationships>',
  );
  const sheet = p.rawSheet ? p.sheet : Buffer.concat([Buffer.from(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><sheetData>`), Buffer.from(p.sheet), Buffer.from('</sheetData></worksheet>')]);
  add('xl/worksheets/sheet1.xml', sheet);
  if (p.sharedStrings) add('xl/sharedStrings.xml', p.sharedStrings);
  for (const [name, data] of Object.entries(p.extra ?? {})) add(name, data);
  z.end();
  const chunks: Buffer[] = [];
  for await (const c of z.outputStream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The zip bomb of issue 8: ~54 KB on disk, one cell of `inflatedMb` MB in sheet1.xml. */
export function zipBomb(inflatedMb = 50): Promise<Buffer> {
  return workbook({ sheet: Buffer.concat([Buffer.from('<row r="1"><c r="A1" t="inlineStr"><is><t>'), Buffer.alloc(inflatedMb * 1024 * 1024, 'x'), Buffer.from('</t></is></c></row>')]) });
}

/** An ordinary clients list: a phone and a name per row. */
export function clientsWorkbook(rows: number, offset = 0): Promise<Buffer> {
  const parts = ['<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>'];
  for (let i = 0; i < rows; i++) {
    const r = i + 2;
    parts.push(`<row r="${r}"><c r="A${r}"><v>7916${String(1_000_000 + offset + i).padStart(7, '0')}</v></c><c r="B${r}" t="inlineStr"><is><t>Client ${i}</t></is></c></row>`);
  }
  return workbook({ sheet: parts.join('') });
}

/**
 * A workbook whose sheet says (in both zip headers) it unpacks to 1 KB but unpacks to `actual`
 * bytes: a reader that trusts the header allocates or stops at the wrong size.
 */
export async function lyingWorkbook(actual: number): Promise<Buffer> {
  const row = '<row><c><v>79001234567</v></c></row>';
  const good = await workbook({ sheet: row.repeat(Math.ceil(actual / row.length)) });
  return rewriteUncompressedSize(good, 'xl/worksheets/sheet1.xml', 1024);
}

/** Sets the uncompressed size recorded for one entry in both its local and central headers. */
function rewriteUncompressedSize(zip: Buffer, name: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const nameBuf = Buffer.from(name);
  for (let i = 0; i < out.length - 4; i++) {
    const sig = out.readUInt32LE(i);
    if (sig === 0x04034b50 && out.subarray(i + 30, i + 30 + nameBuf.length).equals(nameBuf)) out.writeUInt32LE(size, i + 22);
    if (sig === 0x02014b50 && out.subarray(i + 46, i + 46 + nameBuf.length).equals(nameBuf)) out.writeUInt32LE(size, i + 24);
  }
  return out;
}
