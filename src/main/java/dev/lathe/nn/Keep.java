package dev.lathe.nn;

import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Scalar;

/**
 * Long-lived native handles (module parameters, cached tables, constant scalars). A handle created while a
 * PointerScope is open belongs to that scope and dies with it; these stay valid until released explicitly.
 */
public final class Keep {
  private Keep() {}

  /** {@code p}, retained beyond any scope it was created in. */
  public static <P extends Pointer> P retained(P p) {
    p.retainReference();
    return p;
  }

  /** A constant scalar that outlives scopes. */
  public static Scalar scalar(double v) {
    return retained(new Scalar(v));
  }
}
