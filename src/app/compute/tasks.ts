import { exportTableCsv } from '../../core/analytics/export.ts';
import { fhirBundleText } from '../analytics/export.ts';
import { computeMetaAnalysis } from '../evidence/meta.ts';

/**
 * Pure, CPU-heavy work a request may need, by name: what the compute pool runs off the
 * event loop. Inputs and outputs are plain data (they are copied between threads).
 */
export const TASKS = {
  meta: computeMetaAnalysis,
  fhir: fhirBundleText,
  'export-csv': (input: {
    file: Parameters<typeof exportTableCsv>[0];
    data: Parameters<typeof exportTableCsv>[1];
    mode: Parameters<typeof exportTableCsv>[2];
  }) => exportTableCsv(input.file, input.data, input.mode),
  /** For tests of the pool itself: holds its thread for `ms` milliseconds. */
  spin: (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // busy on purpose
    }
    return ms;
  },
} as const;

export type TaskName = keyof typeof TASKS;
export type TaskInput<K extends TaskName> = Parameters<(typeof TASKS)[K]>[0];
export type TaskOutput<K extends TaskName> = ReturnType<(typeof TASKS)[K]>;
