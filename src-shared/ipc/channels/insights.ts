// Channels of the insights domain; filled in by the issue that builds it.
export const insightsChannels = {};
