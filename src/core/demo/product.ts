import type { Characterisation } from '../registry/characterisation.ts';
import type { ProductClass } from '../registry/vocabulary.ts';
import { clamp, normal, pick, type Rng } from './random.ts';

/*
 * Synthetic product characterisation for the demo registry (issue 16). Where a range comes
 * from a paper read for StemTrack it is cited beside it; the rest is marked illustrative and
 * unverified. Like the rest of the demo, it is not evidence of anything.
 */

/**
 * Four commercial PRP systems measured in 12 healthy volunteers: Dejnek et al., World J
 * Orthop 2022;13(6):587–602 (Table 1: blood drawn, PRP volume, anticoagulant, spin; Table 3:
 * product platelets and leukocytes ×10⁹/L = ×10³/µL, mean ± SD; neutrophils ×10⁹/L; red cells
 * ×10¹²/L). The kits are named generically here.
 */
const PRP_KITS = [
  {
    device: 'Demo kit 1 (leukocyte-poor, single spin)',
    drawnMl: 13.5,
    outputMl: 4,
    anticoagulant: 'ACD-A',
    spin: '1 spin, 1500 rpm, 5 min',
    platelets: [357.33, 99.01],
    leukocytes: [0.87, 1.01],
    neutrophils: 0.87,
    redCells: 0.05,
  },
  {
    device: 'Demo kit 2 (leukocyte-rich, buffy coat)',
    drawnMl: 27,
    outputMl: 3,
    anticoagulant: 'ACD-A',
    spin: '1 spin, 3200 rpm, 15 min',
    platelets: [1212.67, 268.63],
    leukocytes: [34.19, 11.18],
    neutrophils: 16.71,
    redCells: 1.49,
  },
  {
    device: 'Demo kit 3 (leukocyte-poor, single spin)',
    drawnMl: 13.5,
    outputMl: 1.5,
    anticoagulant: '3.13% sodium citrate',
    spin: '1 spin, 3500 rpm, 5 min',
    platelets: [455.27, 362.92],
    leukocytes: [1.8, 2.55],
    neutrophils: 1.8,
    redCells: 0.02,
  },
  {
    device: 'Demo kit 4 (leukocyte-poor, single spin)',
    drawnMl: 18,
    outputMl: 3,
    anticoagulant: '3.13% sodium citrate',
    spin: '1 spin, 3100 rpm, 4 min',
    platelets: [499.75, 153.46],
    leukocytes: [0.6, 0.87],
    neutrophils: 0.6,
    redCells: 0.01,
  },
] as const;

/** Whole blood of the same volunteers, Dejnek et al. 2022, Table 2 (mean ± SD). */
const BLOOD = {
  platelets: [240.67, 49.85],
  leukocytes: [6.49, 1.49],
  neutrophils: 3.79,
  redCells: 4.97,
} as const;

/** Illustrative, unverified: a whole-blood haematocrit to scale the kits' red-cell ratio by. */
const ILLUSTRATIVE_BLOOD_HEMATOCRIT = 42;

const round = (v: number, digits = 0) => Math.round(v * 10 ** digits) / 10 ** digits;

function prp(rng: Rng, volumeMl: number): { c: Characterisation; volumeMl: number } {
  const kit = pick(rng, PRP_KITS);
  const bloodPlatelets = round(clamp(normal(rng, ...BLOOD.platelets), 150, 400));
  const bloodLeukocytes = round(clamp(normal(rng, ...BLOOD.leukocytes), 3.5, 11), 1);
  // A platelet-rich product has more platelets than the blood it came from (data-quality rule).
  const platelets = round(Math.max(normal(rng, ...kit.platelets), bloodPlatelets * 1.1));
  const leukocytes = round(clamp(normal(rng, ...kit.leukocytes), 0.05, 60), 2);
  return {
    volumeMl: Math.min(volumeMl, kit.outputMl),
    c: {
      wholeBloodPlateletsK: bloodPlatelets,
      productPlateletsK: platelets,
      wholeBloodLeukocytesK: bloodLeukocytes,
      wholeBloodNeutrophilPercent: round((100 * BLOOD.neutrophils) / BLOOD.leukocytes[0]),
      productLeukocytesK: leukocytes,
      // The paper's neutrophils over its leukocytes (Table 3), as reported.
      productNeutrophilPercent: round((100 * kit.neutrophils) / kit.leukocytes[0]),
      productHematocritPercent: round(
        (ILLUSTRATIVE_BLOOD_HEMATOCRIT * kit.redCells) / BLOOD.redCells,
        2,
      ),
      // Dejnek et al. 2022, Table 1: every kit was activated in vivo (no exogenous activation);
      // the demo's 10% calcium-activated share is illustrative.
      activation: rng.next() < 0.1 ? 'calcium' : 'none',
      anticoagulant: kit.anticoagulant,
      volumeDrawnMl: kit.drawnMl,
      spinProtocol: kit.spin,
      prpDevice: kit.device,
    },
  };
}

/**
 * Bone-marrow concentrate is dosed as the nucleated cells injected: Centeno et al., BMC
 * Musculoskelet Disord 2015;16:258 (doi 10.1186/s12891-015-0714-z, abstract read) split 424
 * knees by the nucleated cells in their injection at 4 × 10⁸. The demo injects its whole
 * product, so its cells injected are the product's total nucleated cells (about 1.2–4.8 × 10⁸
 * at the concentrations below and 3–10 mL), on both sides of that split.
 *
 * Bone-marrow concentrate: nucleated cells after concentration 39.2–48.3 ×10³/µL (= ×10⁶/mL)
 * by group, and an MSC concentration rate of 5.1–8.2× (concentrated bone marrow for femoral-head
 * osteonecrosis, BMC Res Notes 2018, doi 10.1186/s13104-018-3949-6, Table 2); CFU-F in the
 * aspirate 610–1,060 per mL (Everts et al., "A comparative quantification in cellularity of bone
 * marrow aspirated with two new harvesting devices…", abstract). Harvest volumes, viability and
 * the knee output volume are illustrative, unverified.
 */
const BMAC = {
  tncPerMl: [39.2, 48.3],
  aspirateCfuFPerMl: [610, 1060],
  mscConcentration: [5.1, 8.2],
} as const;

const between = (rng: Rng, [lo, hi]: readonly [number, number]) => lo + rng.next() * (hi - lo);

function cells(rng: Rng, productClass: ProductClass, volumeMl: number): Characterisation {
  const tissue =
    productClass === 'UC-MSC'
      ? 'umbilical-cord'
      : productClass === 'BMAC' || productClass === 'BM-MSC'
        ? 'bone-marrow'
        : 'adipose';
  const cultured =
    productClass === 'BM-MSC' || productClass === 'AD-MSC' || productClass === 'UC-MSC';
  const c: Characterisation = {
    origin: productClass === 'UC-MSC' ? 'allogeneic' : 'autologous',
    tissue,
    // Illustrative, unverified: sites, volumes, processing and viability.
    ...(tissue === 'umbilical-cord'
      ? { processing: 'Donor cord tissue, explant culture' }
      : tissue === 'bone-marrow'
        ? {
            harvestSite: 'Posterior iliac crest',
            volumeHarvestedMl: round(between(rng, [30, 120])),
            processing: cultured ? 'Plastic adherence, culture expansion' : 'Centrifugation',
          }
        : {
            harvestSite: 'Abdomen',
            volumeHarvestedMl: round(between(rng, [50, 250])),
            processing:
              productClass === 'MFAT'
                ? 'Mechanical micro-fragmentation'
                : productClass === 'SVF'
                  ? 'Enzymatic digestion, centrifugation'
                  : 'Enzymatic digestion, culture expansion',
          }),
    viabilityPercent: round(between(rng, [85, 98])),
  };
  if (cultured) {
    c.passages = 2 + Math.floor(rng.next() * 3);
    // Marker names only (illustrative): the demo does not invent percentages.
    c.phenotypeMarkers = 'CD73+, CD90+, CD105+, CD45−';
  }
  if (productClass === 'BMAC') {
    c.totalNucleatedCellsMillions = round(between(rng, BMAC.tncPerMl) * volumeMl);
    c.cfuFPerMl = round(between(rng, BMAC.aspirateCfuFPerMl) * between(rng, BMAC.mscConcentration));
  }
  return c;
}

/**
 * The demo characterisation of one treatment, its volume (PRP: no more than the kit makes) and,
 * for bone-marrow concentrate, the cells injected (its total nucleated cells, see `BMAC`).
 */
export function demoProduct(
  rng: Rng,
  productClass: ProductClass,
  volumeMl: number,
): { characterisation: Characterisation; volumeMl: number; cellDoseMillions?: number } {
  const injection: Characterisation = {
    seriesNumber: 1,
    // Illustrative, unverified post-injection advice.
    postInjectionProtocol: pick(rng, [
      'Relative rest 48 h, then usual activity',
      'Relative rest 48 h, no NSAIDs for 2 weeks',
      'Physiotherapy from week 2',
    ]),
  };
  if (productClass === 'PRP') {
    const made = prp(rng, volumeMl);
    return { characterisation: { ...made.c, ...injection }, volumeMl: made.volumeMl };
  }
  if (productClass === 'HA') return { characterisation: injection, volumeMl };
  const c = cells(rng, productClass, volumeMl);
  const tnc = c.totalNucleatedCellsMillions;
  return {
    characterisation: { ...c, ...injection },
    volumeMl,
    ...(productClass === 'BMAC' && typeof tnc === 'number' ? { cellDoseMillions: tnc } : {}),
  };
}
