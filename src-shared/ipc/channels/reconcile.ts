// Channels of the reconcile domain; filled in by the issue that builds it.
export const reconcileChannels = {};
