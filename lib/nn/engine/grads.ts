/**
 * Collects the gradient pieces of one network's explicit backward pass and where each goes in the
 * flat vector, then builds the flat gradient in one kernel (`ParamSet.scatter`).
 */
import * as tf from '@tensorflow/tfjs';
import { Placement, Seg } from './kernels';
import type { ParamSet } from '../params';

export class Grads {
  readonly pieces: tf.Tensor[] = [];
  readonly places: Placement[] = [];

  /** Add `piece` (last two dims [rows, cols]) and its placements (piece index filled in). */
  add(piece: tf.Tensor, places: Omit<Placement, 'piece'>[]): void {
    const k = this.pieces.length;
    this.pieces.push(piece);
    for (const p of places) this.places.push({ ...p, piece: k });
  }

  /** The flat gradient [ps.size]. */
  flat(ps: ParamSet): tf.Tensor {
    return ps.scatter(this.pieces, this.places);
  }
}

/** Placement of a whole piece [rows, cols] (scale 1). */
export function place(rows: number, cols: number, seg: Seg, r0 = 0, c0 = 0, scale = 1): Omit<Placement, 'piece'> {
  return { r0, rows, c0, cols, seg, scale };
}
