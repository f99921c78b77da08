package dev.lathe.models.zimage;

import org.bytedeco.pytorch.Tensor;

/** Receives named intermediates during a forward pass (parity tests and `lathe parity` read them; normally NONE). */
interface Probe {
  Probe NONE = (name, t) -> {};

  void record(String name, Tensor t);
}
