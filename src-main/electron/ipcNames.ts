/** The single Electron channel used for main → renderer events. */
export const EVENT_CHANNEL = 'twofold:event';
