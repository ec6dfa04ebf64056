/** Shapes of GET /api/evidence and GET /api/evidence/registry (see src/app/evidence/evidence.ts). */
export type { PublishedSummary } from '../../core/evidence/summaries.ts';

import type { PublishedSummary } from '../../core/evidence/summaries.ts';

export interface Pooled {
  outcome: string;
  scale: string;
  timepointMonths: number;
  result: {
    k: number;
    estimate: number;
    ciLower: number;
    ciUpper: number;
    piLower: number;
    piUpper: number;
    i2: number;
  } | null;
  refusals: { study: string; arm: string; reason: string }[];
  note: string;
  forestSvg: string | null;
}

export interface EvidenceOverview {
  studies: {
    study: string;
    doiOrNct: string;
    arms: string[];
    products: string[];
    outcomes: string[];
    sources: string[];
    partlyVerified: boolean;
    imported: boolean;
  }[];
  summaries: PublishedSummary[];
  pooled: Pooled[];
  regulatory: {
    statements: { region: string; statement: string; source: string; url: string; read: string }[];
    trialRegistries: { name: string; url: string }[];
  };
}

export type {
  ContextLine,
  RegistryVsEvidence as RegistryComparison,
} from '../../core/evidence/context.ts';
