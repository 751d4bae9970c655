// Optimizer pieces as graph nodes: AdamW, global-norm clipping, learning-rate schedules.
export * from './adamw';
export * from './clip';
export * from './schedule';
