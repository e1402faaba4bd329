/**
 * Named worlds: tables of user-model constants that set the world's planning headroom, i.e. how
 * much a recommender that plans beyond the next item (builds purchase intent over several coherent
 * steps, avoids click-bait) earns over one that is greedy on the true expected reward.
 *
 * A preset is applied UNDER the caller's options (resolveWorldConfig), so `{ preset: 'default',
 * orderIntent: 2 }` is the default preset with one constant changed. The logit offsets are still
 * calibrated to the paper's funnel (Table 1) under the logging policy, whatever the preset.
 * data/README.md ("Presets") lists the measured oracle table of each (bench/worldPresets.ts).
 *
 * Until the whole suite is re-pinned, the `preset` FIELD still defaults to 'greedy-suffices' (every
 * caller gets the kit's first world unless it asks for a preset): pass `preset: 'default'`.
 *
 *   greedy-suffices  the kit's first world: the field defaults of worldConfigSpec, bit for bit.
 *                    Mission items are also the most clickable, so greedy already builds intent.
 *   in-between       half-way: some planning headroom.
 *   default          the paper's premise holds clearly: intent-building items are not the most
 *                    clickable, intent below a threshold does not convert, click-bait destroys it.
 */
export const WORLD_PRESET_NAMES = ['default', 'in-between', 'greedy-suffices'] as const;
export type WorldPresetName = (typeof WORLD_PRESET_NAMES)[number];

/** Field values (of worldConfigSpec) each preset sets; anything not listed keeps the field default. */
export const WORLD_PRESETS: Record<WorldPresetName, Readonly<Record<string, number>>> = {
  'greedy-suffices': {},
  'in-between': {
    clickMission: 0.25, clickIntent: 0.075, clickBait: 1.0, baitDisappoint: 0.75, baitShownDisappoint: 0.15,
    intentThreshold: 0.3, orderIntent: 3.9, intentKeep: 0.935, intentGain: 0.375, intentDecay: 0.65,
    intentAfterOrder: 0.45, missionSwitchAfterOrder: 0.3, orderQuality: 2.25,
  },
  default: {
    clickMission: 0, clickIntent: 0, clickBait: 1.2, baitDisappoint: 1, baitShownDisappoint: 0.3,
    intentThreshold: 0.6, orderIntent: 6, intentKeep: 0.97, intentGain: 0.5, intentDecay: 0.5,
    intentAfterOrder: 0.7, missionSwitchAfterOrder: 0.1, orderQuality: 1.5,
  },
};
