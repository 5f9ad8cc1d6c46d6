import { buildPgliteTemplate } from './pgliteTemplate.js';

/**
 * Run by the build (scripts/buildServer.mjs) in a process of its own: makes the new embedded
 * database a first start unpacks, unless the one for this code exists. Prints the tarball's path.
 */
const { file, built } = await buildPgliteTemplate();
process.stdout.write(`${JSON.stringify({ file, built })}\n`);
