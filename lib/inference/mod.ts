/**
 * Inference with the course's pretrained-network layout (seed 003 Q2): the
 * bridge between course parameters and the lib's MLP, and `result.json`.
 *
 * @module
 */

export * from "./course_network.ts";
export * from "./result_json.ts";
