package dev.lathe.nn;

import org.bytedeco.pytorch.Module;

/**
 * The base of Lathe's layers: a libtorch Module whose Java handle outlives any PointerScope it was built in (a model
 * built lazily inside a training step must not die with that step's scope).
 */
public class Layer extends Module {
  protected Layer(String type) {
    super(type);
    retainReference();
  }
}
