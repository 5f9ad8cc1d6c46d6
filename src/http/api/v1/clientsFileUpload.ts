import fs from 'node:fs';
import { badRequest } from '../../../core/errors.js';
import type { ClientsFileInput, ColumnMapping } from '../../../engine/clientsFile/index.js';
import { readMultipartToDisk } from '../../body.js';
import type { RouteInput } from '../../route.js';
import { uploadsDir } from '../../uploads.js';
import { mappingOf } from './importMapping.js';

type Route = RouteInput<unknown, unknown, unknown>;

export interface ClientsFileUpload {
  filename: string;
  mimeType: string;
  data: ClientsFileInput;
}

/**
 * The clients file of an import or of its preview (multipart: `file`, optional `mapping`). The file
 * is written to disk as it arrives and read back as a stream, so a 30 MB list costs the server a
 * read buffer rather than the file several times over in memory, whatever the order of the form's
 * fields; it is removed when `use` is done.
 */
export async function withClientsFile<T>(app: Route['app'], ctx: Route['ctx'], use: (file: ClientsFileUpload, mapping: ColumnMapping[] | undefined) => Promise<T>): Promise<T> {
  const upload = await readMultipartToDisk(ctx, { limitBytes: app.config.uploadLimitBytes, dir: uploadsDir(app.config.dataDir) });
  let stream: fs.ReadStream | undefined;
  try {
    const file = upload.files.find((f) => f.field === 'file');
    if (!file) throw badRequest('errors.file_missing', { field: 'file' });
    stream = fs.createReadStream(file.path);
    // A read error reaches the import through the stream's iterator; this keeps it from being unheard.
    stream.on('error', () => undefined);
    return await use({ filename: file.filename, mimeType: file.mimeType, data: stream }, mappingOf(upload.fields));
  } finally {
    stream?.destroy();
    await upload.dispose();
  }
}
