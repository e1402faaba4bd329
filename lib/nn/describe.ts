/**
 * Architecture at a glance: the layers of a network, their tensors' shapes and parameter counts,
 * read from its ParamSet (the flat layout every network is built on, params.ts), so what is
 * printed is what is trained. A layer is the tensor names' prefix ('enc/gru1/Wi' -> layer
 * 'enc/gru1', tensor 'Wi').
 *
 *   describeNetwork('LActor', agent.low.core.actor)    // or any { params: ParamSet } / ParamSet
 *   formatNetwork(describeNetwork(...))                // a text table
 */
import { ParamSet } from './params';

export interface LayerInfo {
  /** Layer name (tensor names up to their last '/'). */
  layer: string;
  /** Its tensors: name (last segment) and shape, e.g. 'Wi [50, 192]'. */
  tensors: Array<{ name: string; shape: number[] }>;
  /** Number of parameters of the layer. */
  params: number;
}

export interface NetworkInfo {
  name: string;
  layers: LayerInfo[];
  /** Total number of parameters (= ParamSet.size). */
  params: number;
}

/** Describe a network from its parameters (`net` a ParamSet or anything with `.params`). */
export function describeNetwork(name: string, net: ParamSet | { params: ParamSet }): NetworkInfo {
  const ps = net instanceof ParamSet ? net : net.params;
  if (!(ps instanceof ParamSet)) throw new TypeError(`describeNetwork(${name}): expected a ParamSet or an object with .params`);
  const layers: LayerInfo[] = [];
  for (const e of ps.entries()) {
    const cut = e.name.lastIndexOf('/');
    const layer = cut < 0 ? e.name : e.name.slice(0, cut);
    let L = layers.at(-1);
    if (!L || L.layer !== layer) layers.push((L = { layer, tensors: [], params: 0 }));
    L.tensors.push({ name: cut < 0 ? e.name : e.name.slice(cut + 1), shape: e.shape });
    L.params += e.size;
  }
  return { name, layers, params: ps.size };
}

/** A text table of `describeNetwork`'s result: one line per layer, then the total. */
export function formatNetwork(info: NetworkInfo): string {
  const rows = info.layers.map((l) => [l.layer, l.tensors.map((t) => `${t.name} [${t.shape.join(', ')}]`).join('  '), String(l.params)]);
  const w0 = Math.max(5, ...rows.map((r) => r[0].length)), w1 = Math.max(7, ...rows.map((r) => r[1].length));
  const line = (a: string, b: string, c: string) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c.padStart(9)}`;
  return [
    `${info.name}: ${info.params.toLocaleString('en-US')} parameters`,
    line('layer', 'tensors', 'params'),
    ...rows.map((r) => line(r[0], r[1], Number(r[2]).toLocaleString('en-US'))),
  ].join('\n');
}
