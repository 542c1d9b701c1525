// Channels of the identity domain; filled in by the issue that builds it.
export const identityChannels = {};
