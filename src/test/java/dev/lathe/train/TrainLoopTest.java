package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TrainLoopTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  record Run(TrainLoop loop, AdapterSet adapters, Toy.Net net) {}

  static TrainLoop.Settings settings(long steps, Optimizer.Kind kind, double lr) {
    return new TrainLoop.Settings(steps, 2, 1.0, 1234, TrainLoop.Loss.MSE,
        new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3.0),
        new LrSchedule(LrSchedule.Kind.COSINE, lr, 3, (int) steps), 0, 0, 0, true, false, true, 0, 0);
  }

  static Run build(TrainLoop.Settings s, Optimizer.Kind kind, boolean ema, double dropout, boolean dop) {
    Toy.Net net = new Toy.Net(7);
    AdapterSet a = AdapterSet.attach(net.linearLayers(), p -> true, AdapterSpec.lora(2, 2).withDropout(dropout), 11);
    Optimizer opt = Optimizer.create(kind, a.parameters(), 1e-4);
    Ema e = ema ? new Ema(a.parameters(), 0.9) : null;
    return new Run(new TrainLoop(s, Runtime.cpu(), net, a, new Toy.Data(2, dop), opt, e), a, net);
  }

  final class Recorder implements TrainLoop.Checkpoints {
    final List<Long> saved = new ArrayList<>();

    @Override
    public Path writeAdapter(long step, AdapterSet adapters) throws IOException {
      Path p = dir.resolve("a_" + step + ".safetensors");
      adapters.save(p, "", org.bytedeco.pytorch.global.torch.ScalarType.Float, Map.of());
      return p;
    }

    @Override
    public Path stateFile(long step) {
      return dir.resolve("s_" + step + ".safetensors");
    }

    @Override
    public void recorded(long step) {
      saved.add(step);
    }
  }

  static List<Double> losses = new ArrayList<>();

  @Test
  void lossFalls() throws Exception {
    Run r = build(settings(150, Optimizer.Kind.ADAMW, 3e-2), Optimizer.Kind.ADAMW, false, 0, false);
    List<Double> seen = new ArrayList<>();
    r.loop().run(new Recorder(), null, new TrainListener() {
      @Override
      public void step(StepReport report) {
        seen.add(report.loss());
      }
    }, TrainRequests.NONE);
    double first = seen.subList(0, 15).stream().mapToDouble(d -> d).average().orElseThrow();
    double last = seen.subList(seen.size() - 15, seen.size()).stream().mapToDouble(d -> d).average().orElseThrow();
    assertThat(last).as("mean loss of the last 15 steps vs the first 15").isLessThan(first * 0.6);
  }

  /** N steps straight vs N/2, a full-state checkpoint, a fresh process state, and N/2 more: identical bytes. */
  @ParameterizedTest
  @EnumSource(Optimizer.Kind.class)
  void resume_isBitIdentical(Optimizer.Kind kind) throws Exception {
    TrainLoop.Settings s = settings(12, kind, 1e-2);
    Run straight = build(s, kind, true, 0.1, true);
    straight.loop().run(new Recorder(), null, TrainListener.NONE, TrainRequests.NONE);

    Run first = build(s, kind, true, 0.1, true);
    TrainRequests stopAt6 = new TrainRequests() {
      @Override
      public boolean stop() {
        return first.loop().step() == 6;
      }
    };
    Recorder rec = new Recorder();
    assertThat(first.loop().run(rec, null, TrainListener.NONE, stopAt6)).isEqualTo(TrainLoop.Outcome.STOPPED);
    assertThat(rec.saved).containsExactly(6L);

    Run resumed = build(s, kind, true, 0.1, true);   // new model, new adapters, new optimizer: only the file carries state
    resumed.loop().loadState(rec.stateFile(6));
    assertThat(resumed.loop().step()).isEqualTo(6);
    resumed.loop().run(new Recorder(), null, TrainListener.NONE, TrainRequests.NONE);

    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> a = straight.adapters().snapshot();
      Map<String, Tensor> b = resumed.adapters().snapshot();
      assertThat(b.keySet()).isEqualTo(a.keySet());
      for (String k : a.keySet()) assertThat(Tensors.toFloats(b.get(k))).as(kind + " " + k).containsExactly(Tensors.toFloats(a.get(k)));
    }
  }

  @Test
  void divergence_namesTheStep() {
    Run r = build(settings(50, Optimizer.Kind.ADAMW, 1e30), Optimizer.Kind.ADAMW, false, 0, false);
    assertThatThrownBy(() -> r.loop().run(new Recorder(), null, TrainListener.NONE, TrainRequests.NONE))
        .isInstanceOf(TrainLoop.DivergedException.class).hasMessageMatching("loss became (NaN|-?Infinity) at step \\d+ .*");
  }

  @Test
  void preservationTerm_isReported_andPreviewsRunOnSchedule() throws Exception {
    TrainLoop.Settings base = settings(8, Optimizer.Kind.ADAMW, 1e-2);
    TrainLoop.Settings s = new TrainLoop.Settings(8, 1, 1.0, 1, TrainLoop.Loss.MAE, base.timesteps(), base.schedule(), 4, 2, 4,
        false, false, false, 0.5, 3.0);
    Run r = build(s, Optimizer.Kind.ADAMW, false, 0, true);
    List<Long> previews = new ArrayList<>();
    List<Double> pres = new ArrayList<>();
    Recorder rec = new Recorder();
    r.loop().run(rec, step -> previews.add(step), new TrainListener() {
      @Override
      public void step(StepReport report) {
        pres.add(report.preservationLoss());
      }
    }, TrainRequests.NONE);
    assertThat(previews).containsExactly(0L, 4L, 8L);   // first sample, every 4, final
    assertThat(rec.saved).containsExactly(4L, 8L);
    assertThat(pres.get(0)).isZero();                     // ΔW = 0 at the start: LoRA'd model = base
    assertThat(pres.get(pres.size() - 1)).isGreaterThan(0);
  }
}
