export { createEventActivities, AppendEventsInput } from './append-events';
export { createDeltaPublisher, type DeltaPublisher, type DeltaPublisherOptions } from './publish-deltas';
