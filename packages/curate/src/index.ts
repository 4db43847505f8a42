export { CurateError, CurateManifestError, CurateImageError, CurateDimensionError, CurateConfigError } from './errors';
export { readRecords, loadRecords, type CurateRecord } from './records';
export { writeAtomic, writeManifest } from './io';
export { dot, cosine, histogram, exactKnn, type Histogram } from './similarity';
export { eldDetector, type LanguageDetector } from './language';
export { EmbeddingStore, DEFAULT_TABLE, type EmbeddingRow } from './store';
export { checkImageExists, type Embedder, type ImageVectors } from './embedder';
export { SdkEmbedder } from './sdk-embedder';
export { runEmbedJob, type EmbedJobOptions, type EmbedJobSummary } from './embed-job';
export {
  similarityFilter,
  languageFilter,
  runSimilarityFilter,
  runLanguageFilter,
  runDedup,
  runSelect,
  type RunSelectOptions,
  type RunDedupOptions,
  type ImageColumn,
  type SimilarityFilterOptions,
  type SimilarityFilterResult,
  type SimilarityScore,
  type LanguageFilterOptions,
  type LanguageFilterResult,
  type FilterReport,
  type RunFilterBase,
} from './filters';
export { dedupWithin, dedupAgainst, type DedupWithinResult, type DedupAgainstResult } from './dedup';
export { selectByRetrieval, recallAtK, measureAnnRecall, type RetrievalSelection } from './retrieval';
export { histogramPixels, writeHistogramPng, type HistogramPlot } from './report';
