// Runs the server's CommonJS bundle as require() would, with V8's code cache: the functions a start
// compiled are saved once the server runs, and the next start reads them instead of parsing and
// compiling ~5 MB of JavaScript again (bench `startup`). Node 20 has no compile cache of its own
// (module.enableCompileCache came with Node 22.1).
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import vm from 'node:vm';

/**
 * Where the code cache of `file` as it is now lives. V8 checks a cache against the source's length
 * only: the name carries the file's size and mtime, so a rebuild never meets an older build's cache.
 */
export function codeCacheFile(file) {
  const stat = fs.statSync(file);
  return `${file}.${stat.size}-${Math.trunc(stat.mtimeMs)}.cache`;
}

/**
 * Loads `file` and returns its exports and `saveCodeCache()`, which writes what V8 compiled so far
 * unless the cache read at load was accepted. Saving is best effort: a build the server may not
 * write (installed by another user) just starts without a cache.
 */
export function runWithCodeCache(file) {
  const source = fs.readFileSync(file, 'utf8');
  const cacheFile = codeCacheFile(file);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // none yet: this start saves one
  }
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    // import() inside the bundle (a package's optional dependency) resolves as it would in a module.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const accepted = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {}, filename: file, id: file, loaded: false };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return {
    exports: module.exports,
    saveCodeCache() {
      if (accepted) return;
      const temporary = `${cacheFile}.${process.pid}.tmp`;
      try {
        fs.writeFileSync(temporary, script.createCachedData());
        fs.renameSync(temporary, cacheFile);
      } catch {
        fs.rmSync(temporary, { force: true });
      }
    },
  };
}
