import os from 'node:os';
import path from 'node:path';

/**
 * The per-user data folder, the same one Electron's app.getPath('userData') gives for an app
 * named "Twofold", so the CLI and the desktop app share one store by default.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.TWOFOLD_DATA_DIR) return path.resolve(env.TWOFOLD_DATA_DIR);
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'Twofold');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Twofold');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'Twofold');
}
