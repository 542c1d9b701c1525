import path from 'node:path';

/**
 * Where the main process finds the Electron-ABI builds of the native addons that
 * scripts/launcher.js (ensureElectronNative) makes under .electron-native/<version>/, laid out
 * like node_modules. No Electron import: the layout is tested without the binary.
 */
export function nativePaths(dir: string | undefined = process.env.TWOFOLD_ELECTRON_NATIVE): { sqlite?: string; keytar?: string } {
  if (!dir) return {};
  return {
    // better-sqlite3-multiple-ciphers keeps better-sqlite3's addon file name.
    sqlite: path.join(dir, 'node_modules', 'better-sqlite3-multiple-ciphers', 'build', 'Release', 'better_sqlite3.node'),
    keytar: path.join(dir, 'node_modules', 'keytar'),
  };
}
