#!/usr/bin/python3
"""Check the PyTorch reference (zimage_ref.py) against the Z-Image goldens of the tiny fixture.

Prints cosine similarity and max|Δ|/max|ref| for every tensor of outputs.safetensors and exits 1 if any
float tensor misses cos >= 0.99999 and max|Δ| <= 1e-4·max|ref| (the project's fp32 parity rule), or any
integer position id differs. Also checks that gradient checkpointing leaves the loss and LoRA gradients
unchanged. Exit 0 = the reference computes what diffusers computes.

Usage: check_ref.py [--fixtures DIR]   (default: src/test/resources/fixtures/zimage of this checkout)
"""

import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import zimage_ref as Z  # noqa: E402

COS_MIN, REL_MAX = 0.99999, 1e-4


class Report:
    def __init__(self):
        self.failed, self.checked = [], set()

    def compare(self, name, got, ref):
        self.checked.add(name)
        got = got.detach()
        if list(got.shape) != list(ref.shape):
            self.failed.append(name)
            print(f"FAIL {name:58s} shape {list(got.shape)} vs golden {list(ref.shape)}")
            return
        if not ref.is_floating_point():
            ok = torch.equal(got.to(ref.dtype), ref)
            print(f"{'ok  ' if ok else 'FAIL'} {name:58s} integer, {'identical' if ok else 'DIFFERENT'}")
            if not ok:
                self.failed.append(name)
            return
        g, r = got.double().flatten(), ref.double().flatten()
        cos = float(g @ r / (g.norm() * r.norm())) if r.norm() > 0 and g.norm() > 0 else float(torch.equal(g, r))
        rel = float((g - r).abs().max() / r.abs().max()) if r.abs().max() > 0 else float((g - r).abs().max())
        ok = cos >= COS_MIN and rel <= REL_MAX
        if not ok:
            self.failed.append(name)
        print(f"{'ok  ' if ok else 'FAIL'} {name:58s} cos {cos:.9f}  max|d|/max|ref| {rel:.2e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixtures", default=os.path.join(HERE, "..", "..", "src", "test", "resources",
                                                       "fixtures", "zimage"))
    a = ap.parse_args()
    fx = os.path.normpath(a.fixtures)
    torch.set_num_threads(max(1, len(os.sched_getaffinity(0))))

    wst = Z.SafeTensors(os.path.join(fx, "weights.safetensors"))
    inp = Z.SafeTensors(os.path.join(fx, "inputs.safetensors"))
    gold = Z.SafeTensors(os.path.join(fx, "outputs.safetensors"))
    lora = Z.SafeTensors(os.path.join(fx, "lora.safetensors"))
    cfg = Z.config_from_metadata(wst)
    with open(os.path.join(fx, "config.json")) as f:
        if Z.Config(json.load(f)).__dict__ != cfg.__dict__:
            print("FAIL config.json differs from the weights' metadata config")
            return 1
    model = Z.ZImageTransformer(cfg)
    model.load(wst)
    inp_t = {k: inp.get(k) for k in inp.keys()}
    rep = Report()

    # 1. main case with every intermediate
    xs, caps = [inp_t["x.0"], inp_t["x.1"]], [inp_t["cap_feats.0"], inp_t["cap_feats.1"]]
    cap = {}
    with torch.no_grad():
        out = model(xs, inp_t["t"], caps, capture=cap)
    for i, o in enumerate(out):
        rep.compare(f"out.{i}", o, gold.get(f"out.{i}"))
    for k in sorted(cap):
        if k in gold.entries:
            rep.compare(k, cap[k], gold.get(k))

    # 2. ragged batch: different image and caption lengths -> batch-padding mask, x_pad_token
    cap = {}
    with torch.no_grad():
        out = model([inp_t["ragged.x.0"], inp_t["ragged.x.1"]], inp_t["ragged.t"],
                    [inp_t["ragged.cap_feats.0"], inp_t["ragged.cap_feats.1"]], capture=cap)
    for i, o in enumerate(out):
        rep.compare(f"ragged.out.{i}", o, gold.get(f"ragged.out.{i}"))
    for k in ("x_pos_ids", "cap_pos_ids"):
        for i in range(2):
            rep.compare(f"ragged.{k}.{i}", cap[f"{k}.{i}"], gold.get(f"ragged.{k}.{i}"))

    # LoRA factors of lora.safetensors: module -> (A, B, scale = alpha / r)
    mods = {}
    for k in lora.keys():
        if k.endswith(".lora_A.weight"):
            base = k[:-len(".lora_A.weight")]
            a_ = lora.get(k)
            alpha = float(lora.get(base + ".alpha")) if base + ".alpha" in lora.entries else a_.shape[0]
            mods[base[len("diffusion_model."):]] = (base, a_, lora.get(base + ".lora_B.weight"), alpha / a_.shape[0])

    # 3. LoRA merged into the weights: W' = W + s·B·A
    saved = {}
    with torch.no_grad():
        for path, (_, a_, b_, s) in mods.items():
            lin = model.get_submodule(path)
            saved[path] = lin.weight.clone()
            lin.weight += s * (b_ @ a_)
        out = model(xs, inp_t["t"], caps)
        for path, w in saved.items():
            model.get_submodule(path).weight.copy_(w)
    for i, o in enumerate(out):
        rep.compare(f"lora_merged.out.{i}", o, gold.get(f"lora_merged.out.{i}"))

    # 4. LoRA as an additive path, loss against the random targets, gradients of A and B;
    #    once without and once with gradient checkpointing (must not change anything)
    target = torch.stack([inp_t["target.0"], inp_t["target.1"]])
    for ckpt in (False, True):
        for path, (_, a_, b_, s) in mods.items():
            model.get_submodule(path).set_lora(a_, b_, s)
        loss = (torch.stack(model(xs, inp_t["t"], caps, checkpointing=ckpt)) - target).pow(2).mean()
        loss.backward()
        tag = " (checkpointing)" if ckpt else ""
        rep.compare("lora.loss" + tag, loss, gold.get("lora.loss"))
        for path, (base, _, _, _) in mods.items():
            lin = model.get_submodule(path)
            rep.compare(f"grad.{base}.lora_A.weight{tag}", lin.lora_A.grad, gold.get(f"grad.{base}.lora_A.weight"))
            rep.compare(f"grad.{base}.lora_B.weight{tag}", lin.lora_B.grad, gold.get(f"grad.{base}.lora_B.weight"))

    unchecked = sorted(set(gold.keys()) - rep.checked)
    if unchecked:
        print(f"FAIL goldens never compared: {unchecked}")
        rep.failed += unchecked
    n = len(rep.checked)
    if rep.failed:
        print(f"\n{len(rep.failed)} of {n} checks FAILED (rule: cos >= {COS_MIN}, max|d| <= {REL_MAX}·max|ref|)")
        return 1
    print(f"\nall {n} checks pass (cos >= {COS_MIN}, max|d| <= {REL_MAX}·max|ref|; integer ids exact)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Z.BenchError as e:
        print(f"check_ref: {e}", file=sys.stderr)
        sys.exit(e.code)
