// Apart from definition.ts (zod schemas) so the patient's survey page reads items without zod.
import type { InstrumentDefinition, ItemDefinition } from './definition.ts';

/** All items of an instrument in presentation order. */
export function itemsOf(def: InstrumentDefinition): ItemDefinition[] {
  return def.sections.flatMap((s) => s.items);
}
