package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.GeneratorOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OptimizerTest {
  @BeforeAll
  static void load() {
    Runtime.load();
  }

  private static Tensor param(float... values) {
    Tensor t = Tensors.fromFloats(values, values.length);
    t.requires_grad_(true);
    t.retainReference();
    return t;
  }

  private static void setGrad(Tensor p, float... g) {
    Tensor loss = p.mul(Tensors.fromFloats(g, g.length)).sum();
    if (p.grad() != null && p.grad().defined()) p.grad().zero_();
    loss.backward();
  }

  @Test
  void adamW_twoSteps_matchHandComputation() {
    try (PointerScope s = new PointerScope()) {
      Tensor p = param(1.0f, -2.0f);
      Map<String, Tensor> params = Map.of("p", p);
      Optimizer opt = Optimizer.create(Optimizer.Kind.ADAMW, params, 0.1);
      double[] x = {1.0, -2.0};
      double[] m = new double[2], v = new double[2];
      double[][] grads = {{0.5, -1.0}, {0.25, 3.0}};
      double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
      for (int t = 1; t <= 2; t++) {
        setGrad(p, (float) grads[t - 1][0], (float) grads[t - 1][1]);
        opt.step(lr);
        for (int i = 0; i < 2; i++) {
          double g = grads[t - 1][i];
          x[i] *= 1 - lr * wd;
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          double mh = m[i] / (1 - Math.pow(b1, t));
          double vh = v[i] / (1 - Math.pow(b2, t));
          x[i] -= lr * mh / (Math.sqrt(vh) + eps);
        }
      }
      float[] got = Tensors.toFloats(p);
      assertThat((double) got[0]).isCloseTo(x[0], within(1e-6));
      assertThat((double) got[1]).isCloseTo(x[1], within(1e-6));
    }
  }

  @Test
  void adafactor_oneStep_matrix_matchesHandComputation() {
    try (PointerScope s = new PointerScope()) {
      Tensor p = Tensors.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
      p.requires_grad_(true);
      Optimizer opt = Optimizer.create(Optimizer.Kind.ADAFACTOR, Map.of("p", p), 0);
      float[] g = {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f};
      p.mul(Tensors.fromFloats(g, 2, 3)).sum().backward();
      opt.step(0.1);
      // t = 1: β2 = 1 − 1 = 0, so row/col are the plain means of g² (+1e-30)
      double[][] G = {{0.1, -0.2, 0.3}, {0.4, 0.5, -0.6}};
      double[] row = new double[2], col = new double[3];
      for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) { row[i] += G[i][j] * G[i][j] / 3; col[j] += G[i][j] * G[i][j] / 2; }
      double rowMean = (row[0] + row[1]) / 2;
      double[][] u = new double[2][3];
      double sq = 0;
      for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) {
        u[i][j] = G[i][j] / Math.sqrt(row[i] / rowMean) / Math.sqrt(col[j]);
        sq += u[i][j] * u[i][j];
      }
      double clip = Math.max(1, Math.sqrt(sq / 6));
      float[] got = Tensors.toFloats(p);
      double[] start = {1, 2, 3, 4, 5, 6};
      for (int k = 0; k < 6; k++) assertThat((double) got[k]).isCloseTo(start[k] - 0.1 * u[k / 3][k % 3] / clip, within(1e-5));
    }
  }

  /** A least-squares problem: W [16, 64] fitted to a random target map. */
  private static double fit(Optimizer.Kind kind, int steps, Map<String, Long> bytesOut) {
    try (PointerScope s = new PointerScope()) {
      var gen = Runtime.generator(3);
      TensorOptions f = new TensorOptions(ScalarType.Float);
      Tensor target = torch.randn(new long[] {16, 64}, new GeneratorOptional(gen), f);
      Tensor x = torch.randn(new long[] {128, 64}, new GeneratorOptional(gen), f);
      Tensor y = x.matmul(target.t());
      Tensor w = torch.zeros(new long[] {16, 64}, f);
      w.requires_grad_(true);
      Tensor bias = torch.zeros(new long[] {16}, f);
      bias.requires_grad_(true);
      Map<String, Tensor> params = new LinkedHashMap<>();
      params.put("w", w);
      params.put("b", bias);
      Optimizer opt = Optimizer.create(kind, params, 0);
      double loss = 0;
      for (int i = 0; i < steps; i++) {
        try (PointerScope step = new PointerScope()) {
          if (w.grad() != null && w.grad().defined()) { w.grad().zero_(); bias.grad().zero_(); }
          Tensor l = x.matmul(w.t()).add(bias).sub(y).square().mean();
          l.backward();
          opt.step(kind == Optimizer.Kind.ADAFACTOR ? 0.02 : 0.05);
          loss = l.item_double();
        }
      }
      bytesOut.put(kind.name(), opt.stateBytes());
      return loss;
    }
  }

  @Test
  void everyOptimizer_fitsAQuadratic_and8bitStateIsSmall() {
    Map<String, Long> bytes = new LinkedHashMap<>();
    double start = fit(Optimizer.Kind.ADAMW, 1, bytes);
    double adamw = fit(Optimizer.Kind.ADAMW, 300, bytes);
    double adamw8 = fit(Optimizer.Kind.ADAMW8BIT, 300, bytes);
    double adafactor = fit(Optimizer.Kind.ADAFACTOR, 300, bytes);
    assertThat(adamw).isLessThan(start * 0.01);
    assertThat(adamw8).isLessThan(start * 0.02);      // 8-bit moments: close to full precision
    assertThat(adafactor).isLessThan(start * 0.05);
    // 1040 parameters: AdamW keeps 2 fp32 moments (8 B each), 8-bit keeps codes + one scale per 256 values
    assertThat(bytes.get("ADAMW")).isEqualTo(1040L * 8);
    assertThat(bytes.get("ADAMW8BIT") * 3.0).isLessThan(bytes.get("ADAMW"));
    assertThat(bytes.get("ADAFACTOR")).isEqualTo((16 + 64 + 16) * 4L);
  }

  @Test
  void state_roundTrips_andResumesIdentically() {
    for (Optimizer.Kind kind : Optimizer.Kind.values()) {
      try (PointerScope s = new PointerScope()) {
        Tensor a = param(1, 2, 3, 4);
        Tensor b = param(1, 2, 3, 4);
        Optimizer oa = Optimizer.create(kind, Map.of("p", a), 0.01);
        Optimizer ob = Optimizer.create(kind, Map.of("p", b), 0.01);
        float[][] grads = {{1, -1, 0.5f, 2}, {0.3f, 0.3f, -1, 1}, {2, 1, 0, -0.5f}};
        setGrad(a, grads[0]);
        oa.step(0.1);
        setGrad(b, grads[0]);
        ob.step(0.1);
        Optimizer oc = Optimizer.create(kind, Map.of("p", b), 0.01);   // "resumed" optimizer on b
        oc.loadState(ob.state());
        for (int i = 1; i < 3; i++) {
          setGrad(a, grads[i]);
          oa.step(0.1);
          setGrad(b, grads[i]);
          oc.step(0.1);
        }
        assertThat(Tensors.toFloats(b)).as(kind.name()).containsExactly(Tensors.toFloats(a));
      }
    }
  }

  @Test
  void schedules_handValues() {
    LrSchedule c = new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-4, 0, 100);
    assertThat(c.at(0)).isEqualTo(1e-4);
    LrSchedule w = new LrSchedule(LrSchedule.Kind.CONSTANT, 1e-4, 4, 100);
    assertThat(w.at(0)).isCloseTo(2.5e-5, within(1e-12));
    assertThat(w.at(3)).isCloseTo(1e-4, within(1e-12));
    LrSchedule cos = new LrSchedule(LrSchedule.Kind.COSINE, 1.0, 0, 100);
    assertThat(cos.at(0)).isEqualTo(1.0);
    assertThat(cos.at(50)).isCloseTo(0.5, within(1e-12));
    assertThat(cos.at(100)).isCloseTo(0.0, within(1e-12));
    LrSchedule lin = new LrSchedule(LrSchedule.Kind.LINEAR, 2.0, 10, 110);
    assertThat(lin.at(10)).isEqualTo(2.0);
    assertThat(lin.at(60)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void ema_followsFormula_andSwapsCleanly() {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Tensor p = param(0, 10);
      Ema ema = new Ema(Map.of("p", p), 0.9);
      p.copy_(Tensors.fromFloats(new float[] {1, 0}, 2));
      ema.update();   // 0.9·0 + 0.1·1 = 0.1 ; 0.9·10 + 0 = 9
      p.copy_(Tensors.fromFloats(new float[] {2, 0}, 2));
      ema.update();   // 0.09 + 0.2 = 0.29 ; 8.1
      ema.swapIn();
      assertThat(Tensors.toFloats(p)[0]).isCloseTo(0.29f, within(1e-6f));
      assertThat(Tensors.toFloats(p)[1]).isCloseTo(8.1f, within(1e-5f));
      ema.swapOut();
      assertThat(Tensors.toFloats(p)).containsExactly(2f, 0f);
    }
  }
}
