/**
 * The default world: catalog + users + the calibrated ground-truth user model's offsets,
 * reproducible from its config alone (`buildWorld(cfg)` is deterministic).
 */
import { Rng } from '../../util/rng';
import { Catalog, buildCatalog } from './catalog';
import { Population, buildPopulation } from './population';
import { CalibrationReport, calibrateBiases } from './calibrate';
import { ModelBias } from './trueUserModel';
import { WorldConfig, resolveUserCount, resolveWorldConfig } from './worldConfig';

export interface World extends Catalog, Population {
  cfg: WorldConfig;
  nItems: number;
  nCategories: number;
  /** Latent dimension of itemVec / userVec / categoryVec. */
  dim: number;
  /** Offsets the true model uses (calibrated unless cfg.calibrate is false). */
  bias: ModelBias;
  /** How the offsets were found; null when cfg.calibrate is false. */
  calibration: CalibrationReport | null;
}

/** Build the world for a config (partial configs are resolved and validated first). */
export function buildWorld(config: Partial<WorldConfig> = {}): World {
  const cfg = resolveWorldConfig(config);
  const root = new Rng(cfg.seed);
  const catalog = buildCatalog(cfg, root.fork('catalog'));
  const population = buildPopulation(cfg, catalog, resolveUserCount(cfg), root.fork('users'));
  const world: World = {
    cfg,
    nItems: cfg.nItems,
    nCategories: cfg.nCategories,
    dim: cfg.latentDim,
    ...catalog,
    ...population,
    bias: { clickBias: cfg.clickBias, orderBias: cfg.orderBias },
    calibration: null,
  };
  if (cfg.calibrate) {
    world.calibration = calibrateBiases(world);
    world.bias = { clickBias: world.calibration.clickBias, orderBias: world.calibration.orderBias };
  }
  return world;
}
