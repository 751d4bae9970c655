// Reverse-mode autodiff: appends the backward pass to the same graph as ordinary ONNX nodes.
import { isFloat } from './dtype';
import { type CustomGrad, type Node, type Value } from './graph';
import { add, reduceSum, fullLike, zerosLike } from './ops';

/**
 * Gradients of scalar `loss` (or of `loss` weighted by `seed`) with respect to each of `wrt`.
 * Inputs that do not influence the loss get zeros.
 */
export function gradients(loss: Value, wrt: Value[], seed?: Value): Value[] {
  const g = loss.graph;
  // A region's VJP runs at its earliest output node: in reverse order every consumer of every
  // region output has been visited by then. Its other output nodes are skipped.
  const custom = new Map<Node, CustomGrad | null>();
  for (const c of g.customGrads) {
    const nodes = c.outputs.map((y) => y.node).filter((n): n is Node => n !== null);
    const first = nodes.reduce((a, b) => (b.id < a.id ? b : a), nodes[0]); // ids grow in emission order
    for (const n of nodes) custom.set(n, n === first ? c : null);
  }

  // Only nodes that depend on some `wrt` can carry a gradient there.
  const live = new Set<Value>(wrt);
  for (const n of g.nodes) {
    if (n.inputs.some((x) => x && live.has(x))) for (const y of n.outputs) if (isFloat(y.dtype)) live.add(y);
  }

  const grads = new Map<Value, Value>();
  const accumulate = (x: Value, dx: Value) => {
    const prev = grads.get(x);
    grads.set(x, prev ? add(prev, dx) : dx);
  };
  grads.set(loss, seed ?? fullLike(loss, 1));

  const handled = new Set<CustomGrad>();
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    const region = custom.get(node);
    if (region === null) continue;
    if (region) {
      if (handled.has(region)) continue;
      handled.add(region);
      const dys = region.outputs.map((y) => grads.get(y) ?? null);
      if (dys.every((d) => d === null)) continue;
      region.vjp(dys).forEach((dx, k) => {
        const x = region.inputs[k];
        if (dx && live.has(x)) accumulate(x, unbroadcast(dx, x));
      });
      continue;
    }
    const dys = node.outputs.map((y) => grads.get(y) ?? null);
    if (dys.every((d) => d === null)) continue;
    if (!node.inputs.some((x) => x && live.has(x))) continue;
    if (!node.op.vjp) {
      throw new Error(`no gradient rule for ONNX op ${node.op.type} (node ${node.op.type}_${node.id}, output '${node.outputs[0]?.name}')`);
    }
    const dxs = node.op.vjp(dys, node.inputs, node.outputs, node.attrs);
    node.inputs.forEach((x, k) => {
      const dx = dxs[k];
      if (x && dx && live.has(x)) accumulate(x, unbroadcast(dx, x));
    });
  }
  return wrt.map((w) => grads.get(w) ?? zerosLike(w));
}

/**
 * Sum a broadcast gradient back to the shape of `x`: the one place broadcasting is undone.
 * Leading extra axes are summed away, then axes where x has size 1.
 */
export function unbroadcast(dx: Value, x: Value): Value {
  let out = dx;
  const extra = dx.rank - x.rank;
  if (extra > 0) out = reduceSum(out, [...Array(extra).keys()], false);
  const ones = x.shape.map((d, i) => (d === 1 && out.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
  if (ones.length) out = reduceSum(out, ones, true);
  out.shape.forEach((d, i) => {
    const want = x.shape[i];
    if (typeof d === 'number' && typeof want === 'number' && d !== want) {
      throw new Error(`internal: gradient of shape [${dx.shape}] does not reduce to [${x.shape}]`);
    }
  });
  return out;
}

/** Attach a custom VJP to a composite whose forward nodes were already emitted. */
export function customGradient(inputs: Value[], outputs: Value[], vjp: CustomGrad['vjp']): void {
  outputs[0].graph.customGrads.push({ inputs, outputs, vjp });
}
