/** One manifest record as the caption job sees it. */
export interface JobRecord {
  /** 0-based position among the manifest's records (blank and `#` lines not counted). */
  index: number;
  /** 1-based line number in the manifest (for messages). */
  line: number;
  /** `id` of the record, or its index as a string. */
  id: string;
  /** Absolute image path (relative paths resolved against the manifest's folder). */
  image: string;
  /** The record exactly as it is in the manifest; the output is this plus the caption fields. */
  raw: Record<string, unknown>;
}
