import fs from 'node:fs';
import path from 'node:path';
import { appRoot } from './appFiles.js';

const pkgFile = path.join(appRoot, 'package.json');
/** The running Dozvon version, from package.json. */
export const VERSION: string = (JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { version: string }).version;
