// The trainers' public surface (no DOM, no node:*): `train(config, io)` and what it takes and
// returns. Node-only: `folderSink` in ./output-node.
export { train, type TrainSummary } from './trainer';
export { type LogEntry, type MemorySink, type OutputSink, type Progress, type TrainExample, type TrainIo, memorySink } from './io';
export { type TrainConfig, type TrainConfigInput, parseTrainConfig, totalSteps, trainConfigSchema, TRAINERS, SCHEDULERS } from './config';
export { type DataPlan, dataPlan, epochAfter } from './data';
export { type RngState, type TrainerState, checkpointDir } from './checkpoint';
