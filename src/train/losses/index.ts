// Preference losses and their metrics as graph functions (issue 3).
export * from './sequence';
export * from './log1mexp';
export * from './sort';
export * from './dpo';
export * from './orpo';
export * from './adpo';
export * from './sft';
