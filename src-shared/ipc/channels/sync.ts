// Channels of the sync domain; filled in by the issue that builds it.
export const syncChannels = {};
