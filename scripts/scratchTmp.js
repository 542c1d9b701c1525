'use strict';
/**
 * One temporary folder for a whole `npm test` or `npm run bench`: every step runs with TMPDIR
 * inside it, and it goes when the run ends, whatever the steps left behind (a killed child's
 * store, a bundled entry, a sandbox's data folder, a browser profile). Without it each full test
 * run left ~200 MB under /tmp and each sync benchmark 2-4 GB, until a later run met a full disk.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * A fresh folder under the system's temporary folder; `env` points TMPDIR at it (Node's os.tmpdir(),
 * mkdtemp and Chromium all follow TMPDIR). `remove()` deletes it; it is also removed if the run
 * is interrupted (Ctrl-C) or exits without calling it.
 */
function scratchTmp(label) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `twofold-${label}-`));
  // Searchable by others as /tmp is (each folder made inside is private again): a step that runs
  // a program as another user from a folder in here (provision.test.ts, as nobody) must reach it.
  fs.chmodSync(dir, 0o755);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    // Not following links: the bundles inside link to the repository's node_modules.
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', remove);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      remove();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  return { dir, env: { TMPDIR: dir }, remove };
}

module.exports = { scratchTmp };
