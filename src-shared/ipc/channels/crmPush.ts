// Channels of the crmPush domain; filled in by the issue that builds it.
export const crmPushChannels = {};
