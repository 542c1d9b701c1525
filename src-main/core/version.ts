// Injected by the bundler from package.json; plain "dev" when run from sources in tests.
declare const __TWOFOLD_VERSION__: string | undefined;
export const version: string = typeof __TWOFOLD_VERSION__ === 'string' ? __TWOFOLD_VERSION__ : 'dev';
