// Public API of the dataset layer: formats, streaming readers, config, export.
// Browser-safe: Node file access lives in `io/fs-node.ts` and `formats/load-node.ts`.
export type { ByteSource, BlobLike, ReadStats } from './io/byte-source';
export { blobSource, memorySource, countingSource, readableChunks } from './io/byte-source';
export type { FileTree, TreeEntry, FileLike, DirHandleLike, FileHandleLike } from './io/file-tree';
export { memoryTree, mapTree, fileListTree, directoryHandleTree, TreeNotFoundError } from './io/file-tree';
export type { LineItem, LineReaderOptions } from './io/line-reader';
export { readLines, readLineBatches, Utf8Error } from './io/line-reader';
export { readJsonArrayItems } from './io/json-array';
export { resolveInRoot, normalizeRelative, remapPrefix, PathError } from './io/paths';
export { jsonErrorPosition } from './io/json-position';
export type { TextSink, MemorySink } from './io/jsonl-writer';
export { memorySink, writableSink, BufferedSink } from './io/jsonl-writer';

export type * from './formats/types';
export { formatRecordError, FieldError } from './formats/types';
export type { LoadSummary, StreamOptions } from './formats/stream';
export { DatasetStream, DatasetError, formatSummary } from './formats/stream';
export type { PyValue, PyDict } from './formats/python-literal';
export { parsePythonLiteral, PythonLiteralError } from './formats/python-literal';
export type { MediaOptions } from './formats/fields';
export { isConversational, confineMedia, resolveMedia } from './formats/fields';
export type { ConvertContext, Converter, JsonContainer, JsonRecordOptions } from './formats/json-records';
export { parseJsonRecords, detectContainer, Filtered } from './formats/json-records';
export { EventStream, batchesOf } from './formats/events';
export { parseOpenAsr } from './formats/openasr';
export type { OpenAsrOptions } from './formats/openasr';
export { parseTsv } from './formats/tsv';
export type { TsvOptions } from './formats/tsv';
export { parseAsrPreference } from './formats/asr-preference';
export type { AsrPreferenceOptions } from './formats/asr-preference';
export { parsePreference, extractPrompt } from './formats/preference';
export { parsePrompts } from './formats/prompt';
export { parseAdpo } from './formats/adpo';
export { parseRows } from './formats/rows';
export type { TemplateSpec, TemplatePart } from './formats/templated';
export { applyTemplate, compileTemplate, templateColumns, countWords, TemplateError } from './formats/templated';
export type { ExportableRecord } from './formats/export';
export { toTrlRow, writeTrlJsonl, ExportError } from './formats/export';
export type { DatasetFormat, RecordOf, LoadOptions, SourceSpec, ConfigIo } from './formats/load';
export { loadDataset, loadFromConfig, detectFormat, LoadError } from './formats/load';

export type { DatasetConfig, BiasingConfig, ErrorSimConfig, ParsedConfig, ConfigIssue, TemplatedSourceConfig } from './config/dataset-config';
export { parseDatasetConfig, parseDatasetConfigText, exampleLimit, ConfigError, datasetConfigSchema, templatedSourceSchema } from './config/dataset-config';
