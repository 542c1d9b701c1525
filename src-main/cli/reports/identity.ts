import type { ReportRegistry } from './types';

// Reports of the identity domain; filled in by the issue that builds it.
export const identityReports: ReportRegistry = {};
