/** Code-unit string order: the same on every machine (localeCompare depends on the ICU locale). */
export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
