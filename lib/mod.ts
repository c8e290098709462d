/**
 * The kit's public surface: what the notebooks and their readers call, named
 * one by one, grouped by the layer it comes from (README, "Layout"). Internals
 * — the native kernels and their loader, raw gemm, sparse products, Jupyter
 * transport, workspaces, the seeds' option checks — are not re-exported:
 * import them from their own files when you need them (tests and tools do).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Matrix, mlp, Prng, train } from "./mod.ts";
 *
 * const X = Matrix.from([[0, 1], [1, 0]]), Y = Matrix.from([[1, 0], [0, 1]]);
 * const net = mlp({ sizes: [2, 2], activations: ["softmax"], loss: "crossEntropy", prng: new Prng(1) });
 * const history = await train(net, { X, Y }, { epochs: 5, learningRate: 1, batchSize: "full" });
 * assert.ok(history.loss[4] < history.loss[0]);
 * ```
 *
 * @module
 */

// In Deno's Jupyter kernel, importing the front-end layer installs its two hooks: a cell's last
// value reaches the front end before the cell goes idle, and Kernel → Interrupt stops training
// instead of the kernel (both are no-ops elsewhere).
import "./jupyter/mod.ts";

// Dtypes, tensors and products.
export { type DType, type FloatArray, formatShape, type Shape } from "./dtypes.ts";
export { Matrix } from "./tensor/matrix.ts";
export {
  add,
  addColVector,
  addRowVector,
  addScalar,
  argmaxRows,
  axpy,
  colMax,
  colSums,
  copy,
  div,
  divColVector,
  gatherRows,
  map,
  maxAbsDiff,
  mean,
  mul,
  mulColVector,
  mulRowVector,
  oneHot,
  prependOnes,
  rowMax,
  rowSums,
  scale,
  sub,
  sum,
  transpose,
} from "./tensor/ops.ts";
export { matmul, type MatmulOptions } from "./tensor/matmul.ts";
export { countNonZeros, SparseRows, sparseRows } from "./tensor/sparse_rows.ts";
export { blasBackend, type BlasBackendInfo } from "./blas/backend.ts";
export { nativeBackend, type NativeBackendInfo } from "./native/build.ts";

// Randomness.
export { Prng } from "./random.ts";
export { RandomState } from "./random_state.ts";

// Data.
export { loadMnist, type MnistData, type MnistOptions } from "./data/mnist.ts";
export { type DigitsData, type DigitsOptions, loadDigits } from "./data/digits.ts";
export { trainTestSplit, type TrainTestSplitOptions } from "./data/train_test_split.ts";
export { readIdxImages, readIdxLabels } from "./data/idx.ts";
export { listHdf5Datasets, readHdf5, writeHdf5 } from "./data/hdf5.ts";
export {
  COURSE_SIZES,
  type CourseData,
  type CourseParams,
  readCourseData,
  readCourseParams,
  writeCourseData,
  writeCourseParams,
} from "./data/course_layout.ts";
export { ensureMnistTestHdf5 } from "./data/mnist_test_hdf5.ts";
export { projectPath } from "./data/paths.ts";

// Networks: layers' math, models, the seeds' models and bugs, gradient check.
export {
  type ActivationName,
  linear,
  linearBackward,
  relu,
  reluBackward,
  sigmoid,
  sigmoidBackward,
  softmax,
  softmaxBackward,
  tanh,
  tanhBackward,
} from "./nn/activations.ts";
export * from "./nn/losses.ts"; // every loss with its backward, and their options
export { type Init, initialize } from "./nn/init.ts";
export { loadParams, type Model, saveParams } from "./nn/model.ts";
export { type LossName, Mlp, mlp, type MlpOptions } from "./nn/mlp.ts";
export { LinearModel, linearModel, type LinearModelOptions } from "./nn/linear_model.ts";
export {
  addBiasColumn,
  BiasColumnNet,
  biasColumnNet,
  type BiasColumnNetOptions,
  initParams,
} from "./nn/bias_column_net.ts";
export {
  type BiasColumnSeedFaithful,
  doubleSoftmaxDelta,
  type MlpSeedFaithful,
  mulSoftmaxPrime,
  scalarBiasGradient,
  seed000RunningErrorCost,
  seed001EpochLoss,
  softmaxOverBatch,
  softmaxPrimeFactorDelta,
} from "./nn/seed_bugs.ts";
export {
  seed000Net,
  seed001Net,
  seed002Net,
  seed003InferenceNet,
  seed003Logistic,
  type Seed003Options,
  seed003Softmax,
  seed004Net,
  SEED_FAITHFUL,
  type SeedModelOptions,
} from "./nn/seed_models.ts";
export { gradcheck, type GradcheckOptions, type GradcheckResult } from "./nn/gradcheck.ts";

// Training.
export {
  type EpochLoss,
  type StopOn,
  train,
  type TrainOptions,
  type TrainProgress,
} from "./train/train.ts";
export { sgdStep } from "./train/optimizer.ts";
export { lossChangeBelow, lossNotFinite, lossRises, type StopRule } from "./train/stop_rules.ts";
export { faithfulVsCorrected, type History, lastEvaluation, lastRecord } from "./train/history.ts";
export { evaluate, type Evaluation, type LabeledData } from "./train/evaluate.ts";

// Notebook parameters, metrics, results, the pretrained network.
export { parameters, type ParametersOptions } from "./params.ts";
export { accuracy, confusionMatrix, cosineSimilarity, perClassAccuracy } from "./metrics.ts";
export { type Comparison, type ResultsBundle } from "./report.ts";
export { courseParamsToMlp, mlpToCourseParams } from "./inference/course_network.ts";
export { type InferenceResult, readResultJson, writeResultJson } from "./inference/result_json.ts";

// Figures, their export, and the notebook front end.
export {
  barChart,
  type BarChartOptions,
  confusionHeatmap,
  type ConfusionHeatmapOptions,
  lineChart,
  type LineChartOptions,
  type PlotlyFigure,
  type Series,
} from "./plot/charts.ts";
export {
  type CanvasImage,
  digitGrid,
  type DigitGridOptions,
  digitView,
  type DigitViewOptions,
  weightTiles,
  type WeightTilesOptions,
} from "./plot/images.ts";
export {
  type FigureRenderer,
  type ImageFormat,
  launchRenderer,
  type RenderOptions,
} from "./export/chromium.ts";
export { display, displayImage, type FigureDisplayOptions } from "./jupyter/display.ts";
export { interruptSignal } from "./jupyter/interrupt.ts";
export {
  progressBar,
  type ProgressBarOptions,
  trainWithProgress,
  type TrainWithProgressOptions,
  withProgress,
} from "./jupyter/progress.ts";
export { recordResults, type RecordResultsOptions } from "./jupyter/results.ts";
