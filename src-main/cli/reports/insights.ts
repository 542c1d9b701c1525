import type { ReportRegistry } from './types';

// Reports of the insights domain; filled in by the issue that builds it.
export const insightsReports: ReportRegistry = {};
