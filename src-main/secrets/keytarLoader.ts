/**
 * keytar, loaded lazily, shared by the token store and the store-key source. A machine without
 * libsecret or a Secret Service still runs everything that doesn't need the keychain, and the
 * failure names its cause instead of crashing at start.
 */
import { AppError } from '../../src-shared/errors';

export type Keytar = typeof import('keytar');

export class KeytarLoader {
  private keytar: Keytar | null = null;
  private loadError: string | null = null;

  /** `modulePath` lets Electron load an Electron-ABI build of keytar. */
  constructor(private readonly modulePath?: string) {}

  load(): Keytar {
    if (this.keytar) return this.keytar;
    if (this.loadError) throw new AppError('KEYCHAIN_UNAVAILABLE', this.loadError);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      this.keytar = require(this.modulePath ?? 'keytar') as Keytar;
      return this.keytar;
    } catch (err) {
      this.loadError = `The OS keychain library could not be loaded (${firstLine(err)}). On Linux install libsecret and a Secret Service such as gnome-keyring.`;
      throw new AppError('KEYCHAIN_UNAVAILABLE', this.loadError);
    }
  }

  /** Runs one keytar call; its failure becomes a KEYCHAIN_UNAVAILABLE the steward can act on. */
  async call<T>(fn: (k: Keytar) => Promise<T>): Promise<T> {
    const k = this.load();
    try {
      return await fn(k);
    } catch (err) {
      throw new AppError('KEYCHAIN_UNAVAILABLE', describeKeychainError(err));
    }
  }
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/** Turn libsecret's messages into what the steward can act on; never echo arguments (tokens). */
export function describeKeychainError(err: unknown): string {
  const msg = firstLine(err);
  if (/org\.freedesktop\.secrets|ServiceUnknown|was not provided by any \.service/i.test(msg))
    return 'No OS keychain is running (no Secret Service on D-Bus). Start gnome-keyring or KWallet, or use TWOFOLD_*_TOKEN with the CLI.';
  if (/DBUS_SESSION_BUS_ADDRESS|Cannot autolaunch D-Bus|X11/i.test(msg))
    return 'No D-Bus session is available, so the OS keychain cannot be reached. Run inside a desktop session, or use TWOFOLD_*_TOKEN with the CLI.';
  if (/locked collection|unlock/i.test(msg)) return 'The OS keychain is locked. Unlock it and try again.';
  return `The OS keychain refused the request: ${msg.replace(/[A-Za-z0-9._-]{24,}/g, '…')}`;
}
