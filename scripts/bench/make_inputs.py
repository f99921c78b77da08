#!/usr/bin/python3
"""Write the bench files of one or more sizes with seeded random weights, in the format `lathe bench export`
writes, so that the PyTorch reference runs standalone:

  DIR/weights.safetensors  diffusers key names, F32; __metadata__ {"config": <config.json text>}
  DIR/inputs.safetensors   x0 [B,16,1,H,W], noise [B,16,1,H,W], sigma [B], cap_feats.<i> [S, cap_dim];
                           __metadata__ {"config", "rank", "size", "seed", "format"}
  DIR/config.json          the same config text

Usage: make_inputs.py --size tiny|small|medium [--out DIR] [--seed N] [--rank R]
       (DIR defaults to target/bench/<size>; `--size all` writes every size, each into target/bench/<size>
       or, with --out, into DIR/<size>)
"""

import argparse
import json
import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402

import zimage_ref as Z  # noqa: E402

FORMAT = "lathe-bench-inputs/1"


def init_weights(model, gen):
    """Random weights that keep activations O(1) through the stack (values only matter for sanity):
    norm scales 1 + 0.1·N, biases 0.02·N, matrices N(0, 1/fan_in), pad tokens N(0, 1)."""
    with torch.no_grad():
        for name, p in sorted(model.named_parameters()):
            if name.endswith("pad_token"):
                p.copy_(torch.randn(p.shape, generator=gen))
            elif p.dim() == 1 and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif p.dim() == 1:
                p.copy_(0.02 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))


def make(size, out_dir, seed, rank):
    spec = Z.SIZES[size]
    conf = Z.model_config(size)
    conf_text = json.dumps(conf, indent=2)
    cfg = Z.Config(conf, size)
    gen = torch.Generator().manual_seed(seed)
    model = Z.ZImageTransformer(cfg)
    init_weights(model, gen)
    b, (c, f, h, w), s = spec["batch"], spec["latent"], spec["caption"]
    inputs = {
        "x0": torch.randn(b, c, f, h, w, generator=gen),
        "noise": torch.randn(b, c, f, h, w, generator=gen),
        "sigma": torch.sigmoid(torch.randn(b, generator=gen)),   # sigmoid timestep sampling, drawn once
    }
    for i in range(b):
        inputs[f"cap_feats.{i}"] = torch.randn(s, cfg.cap_feat_dim, generator=gen)
    os.makedirs(out_dir, exist_ok=True)
    Z.write_safetensors(os.path.join(out_dir, "weights.safetensors"),
                        {k: v.detach() for k, v in model.state_dict().items()}, {"config": conf_text})
    Z.write_safetensors(os.path.join(out_dir, "inputs.safetensors"), inputs,
                        {"config": conf_text, "rank": str(rank), "size": size, "seed": str(seed),
                         "format": FORMAT})
    tmp = os.path.join(out_dir, ".config.json.tmp")
    with open(tmp, "w") as fh:
        fh.write(conf_text + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, os.path.join(out_dir, "config.json"))
    n = sum(p.numel() for p in model.parameters())
    print(f"make_inputs: {out_dir}: size {size}, {n:,} params, batch {b}, latent {[c, f, h, w]}, "
          f"caption {s} tokens, sigma {[round(v, 4) for v in inputs['sigma'].tolist()]}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", required=True, choices=list(Z.SIZES) + ["all"])
    ap.add_argument("--out", help="folder for the files (default target/bench/<size>)")
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--rank", type=int, default=16)
    a = ap.parse_args()
    default_parent = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "bench")
    for size in (list(Z.SIZES) if a.size == "all" else [a.size]):
        if a.out is None:
            out = os.path.join(default_parent, size)
        else:
            out = os.path.join(a.out, size) if a.size == "all" else a.out
        make(size, os.path.normpath(out), a.seed, a.rank)


if __name__ == "__main__":
    try:
        main()
    except Z.BenchError as e:
        print(f"make_inputs: {e}", file=sys.stderr)
        sys.exit(e.code)
    except OSError as e:
        print(f"make_inputs: {e.filename or ''}: {e.strerror}", file=sys.stderr)
        sys.exit(4)
