// The seed-001 toy case, exactly: the numbers printed in the seed notebook are the oracle.
import assert from "node:assert/strict";
import { Matrix } from "../../lib/tensor/matrix.ts";
import { maxAbsDiff, sum, transpose } from "../../lib/tensor/ops.ts";
import { addBiasColumn, BiasColumnNet } from "../../lib/nn/bias_column_net.ts";
import { SEED_FAITHFUL } from "../../lib/nn/seed_models.ts";
import { gradcheck } from "../../lib/nn/gradcheck.ts";

// Printed by the seed (cells 43–61), column-major as the seed held them.
const W1 = [
  [-0.03617072, 0.11845869, -0.55649705],
  [-0.15783306, -0.19837909, -0.36638267],
];
const W2 = [
  [0.05017689, -0.40892273, -0.20164522],
  [0.7846449, 0.15423692, -0.14586556],
  [-0.4479588, -0.11213297, -0.48424308],
  [-0.34472698, -0.15315491, 0.13525811],
];
const X = [[0.5403, -0.4161], [-0.9900, -0.6536], [0.2837, 0.9602]];
const Y = [[0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 1, 0]];
/** outputs['a1'], [nh+1, m]. */
const A1 = [
  [1, 1, 1],
  [0.25372577, 0.20723607, -0.49064726],
  [-0.11209241, 0.27108077, -0.51235207],
];
/** y_hat, [ny, m]. */
const Y_HAT = [
  [0.21016811, 0.2103051, 0.27443618],
  [0.5022065, 0.50012354, 0.42170043],
  [0.14213145, 0.12587916, 0.1666263],
  [0.14549394, 0.1636922, 0.13723709],
];
const LOSS = 1.4708408874785344;
const DJ_DW1 = [
  [-0.01567247, 0.04720056, 0.01946558],
  [-0.01678777, -0.02581464, 0.03803312],
];
const DJ_DW2 = [
  [0.12446019, -0.01072199, -0.02244061],
  [0.10341981, -0.04450108, -0.10063999],
  [-0.08454288, 0.06404713, 0.06110354],
  [-0.06757858, -0.03028375, 0.00965763],
];
const NEW_W1 = [
  [-0.03460347, 0.11373863, -0.55844361],
  [-0.15615428, -0.19579762, -0.37018598],
];
const NEW_W2 = [
  [0.03773087, -0.40785053, -0.19940116],
  [0.77430291, 0.15868703, -0.13580156],
  [-0.43950451, -0.11853768, -0.49035344],
  [-0.33796912, -0.15012654, 0.13429234],
];
const TOL = 1e-8;

function toyNet(faithful: boolean): BiasColumnNet {
  return new BiasColumnNet(
    { w1: Matrix.from(W1), w2: Matrix.from(W2) },
    { seedFaithful: faithful ? SEED_FAITHFUL.seed001 : undefined },
  );
}

const Xb = addBiasColumn(Matrix.from(X));
const Yb = Matrix.from(Y);

Deno.test("seed 001 toy: the ones column is prepended as the seed printed", () => {
  assert.deepEqual(Xb.toArray(), [[1, 0.5403, -0.4161], [1, -0.99, -0.6536], [1, 0.2837, 0.9602]]);
});

Deno.test("seed 001 toy: forward gives the printed a1 and y_hat to 1e-8", () => {
  const net = toyNet(true);
  const dA1 = maxAbsDiff(net.hidden(Xb), transpose(Matrix.from(A1)));
  const dYHat = maxAbsDiff(net.predict(Xb), transpose(Matrix.from(Y_HAT)));
  assert.ok(dA1 <= TOL, `a1 deviates by ${dA1}`);
  assert.ok(dYHat <= TOL, `y_hat deviates by ${dYHat}`);
  // The seed printed the sum of all softmax values: 3.0 (one per sample).
  const total = sum(net.predict(Xb));
  assert.ok(Math.abs(total - 3) < 1e-12);
});

Deno.test("seed 001 toy: loss is the printed 1.4708408874785344 to 1e-8", () => {
  const net = toyNet(true);
  assert.ok(Math.abs(net.loss(Xb, Yb) - LOSS) <= TOL, `loss ${net.loss(Xb, Yb)}`);
  assert.ok(Math.abs(net.seedLoss(Xb, Yb) - LOSS) <= TOL, `seedLoss ${net.seedLoss(Xb, Yb)}`);
  assert.ok(Math.abs(net.lossAndGrad(Xb, Yb) - LOSS) <= TOL);
});

Deno.test("seed 001 toy: seed-faithful backward gives the printed dj_dw1 and dj_dw2 to 1e-8", () => {
  const net = toyNet(true);
  net.lossAndGrad(Xb, Yb);
  const d1 = maxAbsDiff(net.dw1, Matrix.from(DJ_DW1)),
    d2 = maxAbsDiff(net.dw2, Matrix.from(DJ_DW2));
  assert.ok(d1 <= TOL, `dj_dw1 deviates by ${d1}`);
  assert.ok(d2 <= TOL, `dj_dw2 deviates by ${d2}`);
});

Deno.test("seed 001 toy: corrected backward differs from the printed gradients", () => {
  const net = toyNet(false);
  net.lossAndGrad(Xb, Yb);
  assert.ok(maxAbsDiff(net.dw2, Matrix.from(DJ_DW2)) > 1e-2);
});

Deno.test("seed 001 toy: one sgd step with eta 0.1 gives the printed new params to 1e-8", () => {
  const net = toyNet(true);
  net.lossAndGrad(Xb, Yb);
  const eta = 0.1;
  net.params.forEach((p, i) => {
    const g = net.grads[i];
    for (let j = 0; j < p.size; j++) p.data[j] -= eta * g.data[j];
  });
  const d1 = maxAbsDiff(net.w1, Matrix.from(NEW_W1)), d2 = maxAbsDiff(net.w2, Matrix.from(NEW_W2));
  assert.ok(d1 <= TOL, `new w1 deviates by ${d1}`);
  assert.ok(d2 <= TOL, `new w2 deviates by ${d2}`);
});

Deno.test("seed 001 toy: the seed's gradient fails the gradient check, the corrected one passes", () => {
  const batch = { X: Xb, Y: Yb };
  const faithful = gradcheck(toyNet(true), batch).maxRelError;
  const corrected = gradcheck(toyNet(false), batch).maxRelError;
  assert.ok(faithful > 1e-2, `faithful error ${faithful}`);
  assert.ok(corrected <= 1e-6, `corrected error ${corrected}`);
});
