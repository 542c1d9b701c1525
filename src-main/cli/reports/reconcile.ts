import type { ReportRegistry } from './types';

// Reports of the reconcile domain; filled in by the issue that builds it.
export const reconcileReports: ReportRegistry = {};
