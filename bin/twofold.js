#!/usr/bin/env node
'use strict';
// The CLI runs from the bundle electron-vite builds (npm install runs the build via "prepare").
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('twofold: the app is not built yet; run "npm run build" in ' + path.join(__dirname, '..') + '\n');
  process.exit(1);
}
require(bundle)
  .runCli(process.argv.slice(2))
  .then((code) => {
    if (code) process.exitCode = code;
  });
