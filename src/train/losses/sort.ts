// Sorting a small batch vector inside the graph (AOT losses), without TopK.
import {
  type Value, add, cast, equal, fullLike, less, matmul, mul, reduceSum, squeeze, trilu, unsqueeze,
} from '../../engine';

/**
 * x [B] sorted ascending, as P x with P the permutation matrix built from pairwise comparisons
 * (rank_i = #{j: x_j < x_i} + #{j < i: x_j = x_i}, a stable sort). The gradient is P^T dy,
 * as torch.sort's. B may be symbolic; the cost is O(B^2), fine for batch vectors.
 */
export function sortAscending(x: Value): Value {
  const xi = unsqueeze(x, [1]); // [B, 1]: row i
  const xj = unsqueeze(x, [0]); // [1, B]: column j
  const lt = cast(less(xj, xi), x.dtype); // [B, B]: x_j < x_i
  const eq = cast(equal(xj, xi), x.dtype);
  const before = trilu(fullLike(lt, 1), false, -1); // [B, B]: j < i
  const rank = reduceSum(add(lt, mul(eq, before)), [1]); // [B]: where x_i goes
  const position = reduceSum(before, [1]); // [B]: 0, 1, ..., B-1
  const perm = cast(equal(unsqueeze(position, [1]), unsqueeze(rank, [0])), x.dtype); // perm[k, i] = (rank_i == k)
  return squeeze(matmul(perm, xi), [1]);
}
