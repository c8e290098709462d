/**
 * Neural-network building blocks: activations, losses, initialisers, the
 * {@linkcode Model} contract, the MLP, the one-layer linear model (logistic
 * and softmax regression) and seed 001's bias-column network, the seeds' bugs
 * (seed-faithful formulas, `seed_bugs.ts`), every seed's model (corrected and
 * seed-faithful), and the gradient check.
 *
 * @module
 */

export * from "./model.ts";
export * from "./activations.ts";
export * from "./losses.ts";
export * from "./init.ts";
export * from "./seed_bugs.ts";
export * from "./mlp.ts";
export * from "./linear_model.ts";
export * from "./bias_column_net.ts";
export * from "./seed_models.ts";
export * from "./gradcheck.ts";
