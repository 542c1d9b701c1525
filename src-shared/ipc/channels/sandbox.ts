// Channels of the sandbox domain; filled in by the issue that builds it.
export const sandboxChannels = {};
