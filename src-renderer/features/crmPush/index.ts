export { AddToCrmButton, type AddToCrmButtonProps } from './AddToCrmButton';
export { SubmissionsPanel } from './SubmissionsPanel';
export { PreviewModal } from './PreviewModal';
