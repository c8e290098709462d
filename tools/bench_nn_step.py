"""NumPy reference for tools/bench_nn_step.ts, on the first MNIST training
images (the same data as the TypeScript side): one training step of seed 000
(per-sample, 1x784 -> 150 -> 100 -> 50 -> 10 sigmoid, squared error) and of
seed 001 (batch 128x785 -> tanh 32 -> softmax 10), written the straightforward
vectorised way. Prints JSON: microseconds per step for each case."""
import json
import sys
import time

import numpy as np

dtype = np.dtype(sys.argv[1] if len(sys.argv) > 1 else "float64")
steps000 = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
steps001 = int(sys.argv[3]) if len(sys.argv) > 3 else 200
mnist_dir = sys.argv[4]
rng = np.random.default_rng(0)


def mnist(n):
    with open(f"{mnist_dir}/train-images-idx3-ubyte", "rb") as f:
        f.seek(16)
        x = np.frombuffer(f.read(n * 784), np.uint8).reshape(n, 784)
    with open(f"{mnist_dir}/train-labels-idx1-ubyte", "rb") as f:
        f.seek(8)
        labels = np.frombuffer(f.read(n), np.uint8)
    return (x / 255.0).astype(dtype), np.eye(10, dtype=dtype)[labels]


# seed 000, per-sample SGD, lr 0.2
W = [rng.normal(0, 1, s).astype(dtype) for s in [(784, 150), (150, 100), (100, 50), (50, 10)]]
X, Y = mnist(2000)


def step000(x, y):
    a0 = x
    a1 = 1 / (1 + np.exp(-(a0 @ W[0])))
    a2 = 1 / (1 + np.exp(-(a1 @ W[1])))
    a3 = 1 / (1 + np.exp(-(a2 @ W[2])))
    a4 = 1 / (1 + np.exp(-(a3 @ W[3])))
    d4 = (a4 - y) * a4 * (1 - a4)
    d3 = (d4 @ W[3].T) * a3 * (1 - a3)
    d2 = (d3 @ W[2].T) * a2 * (1 - a2)
    d1 = (d2 @ W[1].T) * a1 * (1 - a1)
    W[3] -= 0.2 * (a3.T @ d4)
    W[2] -= 0.2 * (a2.T @ d3)
    W[1] -= 0.2 * (a1.T @ d2)
    W[0] -= 0.2 * (a0.T @ d1)
    return 0.5 * np.sum((a4 - y) ** 2)


for i in range(200):
    step000(X[i : i + 1], Y[i : i + 1])
t = time.perf_counter()
for i in range(steps000):
    j = i % 2000
    step000(X[j : j + 1], Y[j : j + 1])
us000 = (time.perf_counter() - t) / steps000 * 1e6

# seed 001, batch 128, eta 0.01 (corrected gradient, same work as the seed's)
w1 = rng.normal(0, 0.3, (32, 785)).astype(dtype)
w2 = rng.normal(0, 0.3, (10, 33)).astype(dtype)
Xb = np.c_[np.ones((1280, 1), dtype), X[:1280]]
Yb = Y[:1280]


def step001(x, y):
    global w1, w2
    z1 = x @ w1.T
    a1 = np.tanh(z1)
    a1t = np.c_[np.ones((x.shape[0], 1), dtype), a1]
    z2 = a1t @ w2.T
    e = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    d2 = p - y
    dw2 = d2.T @ a1t
    d1 = (d2 @ w2)[:, 1:] * (1 - a1**2)
    dw1 = d1.T @ x
    w1 -= 0.01 * dw1
    w2 -= 0.01 * dw2
    return -np.sum(y * np.log(p)) / x.shape[0]


for i in range(20):
    step001(Xb[(i % 10) * 128 : (i % 10 + 1) * 128], Yb[(i % 10) * 128 : (i % 10 + 1) * 128])
t = time.perf_counter()
for i in range(steps001):
    s = (i % 10) * 128
    step001(Xb[s : s + 128], Yb[s : s + 128])
us001 = (time.perf_counter() - t) / steps001 * 1e6

print(json.dumps({"seed000_1x784": us000, "seed001_128x785": us001}))
