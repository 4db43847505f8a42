/** One piece of a segmentation: normalized[begin, end) has vocabulary id `id`. */
export interface Segment {
  begin: number;
  end: number;
  id: number;
}

/** A segmentation algorithm over normalised UTF-8 bytes (unigram Viterbi, BPE merges). */
export interface SegmentationModel {
  encode(normalized: Uint8Array): Segment[];
}
