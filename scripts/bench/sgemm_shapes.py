#!/usr/bin/env python3
"""Summarises sgemm_shapes.so output files: GEMM time, calls and GFLOP per training step, and the costliest shapes.

usage: sgemm_shapes.py FILE:STEPS [FILE:STEPS ...] [--top N]

STEPS is how many training steps the process ran in all (warm-up included: `lathe bench train --json` reports
"warmup" and "steps"; the reference runs --warmup + --steps), so the figures are per step.
"""
import argparse


def load(path, steps):
    rows = []
    with open(path) as f:
        for line in f:
            ta, tb, m, n, k, calls, ns = line.split()
            m, n, k, calls, ns = int(m), int(n), int(k), int(calls), float(ns)
            rows.append((ta + tb, m, n, k, calls / steps, ns / steps / 1e6))
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", metavar="FILE:STEPS")
    p.add_argument("--top", type=int, default=15)
    a = p.parse_args()
    for spec in a.files:
        path, steps = spec.rsplit(":", 1)
        rows = load(path, int(steps))
        ms = sum(r[5] for r in rows)
        flops = sum(2.0 * r[1] * r[2] * r[3] * r[4] for r in rows)
        print("%s: %.1f ms of GEMM a step, %.0f calls, %.2f GFLOP -> %.1f GFLOP/s"
              % (path, ms, sum(r[4] for r in rows), flops / 1e9, flops / ms / 1e6 if ms else 0))
        for t, m, n, k, calls, ms_ in sorted(rows, key=lambda r: -r[5])[:a.top]:
            gf = 2.0 * m * n * k * calls / ms_ / 1e6 if ms_ else 0
            print("  %s m %5d n %5d k %5d  %7.1f calls  %7.2f ms  %6.1f GFLOP/s" % (t, m, n, k, calls, ms_, gf))


if __name__ == "__main__":
    main()
