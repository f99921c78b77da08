package dev.lathe.nn;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/** Helpers for module trees whose names are checkpoint keys. */
public final class Modules {
  private Modules() {}

  /** A plain container, for name segments such as {@code layers}, {@code to_out} or {@code all_x_embedder}. */
  public static Module container(String type) {
    return Keep.retained(new Module(type));
  }

  /** Registers {@code children} under "0", "1", ... of a new container registered as {@code name} on {@code parent}. */
  public static <M extends Module> List<M> list(Module parent, String name, List<M> children) {
    Module list = container("ModuleList");
    for (int i = 0; i < children.size(); i++) list.register_module(Integer.toString(i), children.get(i));
    parent.register_module(name, list);
    return List.copyOf(children);
  }

  /**
   * Parameters in module order with their dotted names. Each tensor is its own handle to the parameter (same storage
   * and autograd identity, so {@code set_data} on it changes the module), valid after the returned dict is gone.
   */
  public static List<Named> parameters(Module m) {
    StringTensorDict dict = m.named_parameters(true);
    List<Named> out = new ArrayList<>((int) dict.size());
    for (long i = 0; i < dict.size(); i++) out.add(new Named(dict.get(i).key().getString(), new Tensor(dict.get(i).value())));
    return out;
  }

  /**
   * True when backward has work to do under {@code m}: a parameter requires grad, or one of {@code linears} carries
   * an adapter (adapters keep their tensors outside the module tree, so they are asked for separately).
   */
  public static boolean hasTrainable(Module m, Iterable<? extends Linear> linears) {
    for (Linear l : linears) if (l.adapter() != null) return true;
    TensorVector ps = m.parameters(true);
    for (long i = 0; i < ps.size(); i++) if (ps.get(i).requires_grad()) return true;
    return false;
  }

  /** Sum of the element counts of every parameter. */
  public static long parameterCount(Module m) {
    long n = 0;
    for (Named p : parameters(m)) n += p.tensor().numel();
    return n;
  }

  /**
   * Frees the memory of every parameter under {@code m} by swapping in empty tensors (all handles to a parameter share
   * its storage, so this releases it even while Java objects still point at the module). The module cannot run after.
   */
  public static void free(Module m) {
    try (org.bytedeco.javacpp.PointerScope s = new org.bytedeco.javacpp.PointerScope();
         org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
      for (Named p : parameters(m)) {
        Tensor t = p.tensor();
        p.tensor().set_data(org.bytedeco.pytorch.global.torch.empty(new long[] {0}, t.options(), new org.bytedeco.pytorch.MemoryFormatOptional()));
      }
    }
  }

  /** A parameter and its dotted name. */
  public record Named(String name, Tensor tensor) {}
}
