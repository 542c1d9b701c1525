#!/usr/bin/env node
'use strict';
// `npm install` / `npm ci` build the app so `npx twofold …` and `npm start` work right after.
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
