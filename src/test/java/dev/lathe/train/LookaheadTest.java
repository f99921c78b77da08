package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.adapters.AdapterSet;
import dev.lathe.adapters.AdapterSpec;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loop's look-ahead (the next step's batch and frozen front prepared during this step's backward) changes when
 * work happens, never what is computed: the same losses and weights bit for bit, a checkpoint taken while a
 * look-ahead is pending resumes to the same bytes, and a front that trains is never computed ahead.
 */
class LookaheadTest {
  @TempDir Path dir;

  @BeforeAll
  static void load() {
    Runtime.load();
  }

  record Run(TrainLoop loop, AdapterSet adapters, Toy.FrontNet net, Toy.Data data) {}

  static TrainLoop.Settings settings(long steps, int saveEvery) {
    return new TrainLoop.Settings(steps, 1, 1.0, 77, TrainLoop.Loss.MSE,
        new TimestepSampler(TimestepSampler.Type.SIGMOID, TimestepSampler.Bias.BALANCED, 3.0),
        new LrSchedule(LrSchedule.Kind.CONSTANT, 2e-2, 0, (int) steps), saveEvery, 0, 0, true, false, true, 0, 0);
  }

  static Run build(TrainLoop.Settings s, boolean lookahead, Predicate<String> targets) {
    Toy.FrontNet net = new Toy.FrontNet(5);
    AdapterSet a = AdapterSet.attach(net.linearLayers(), targets, AdapterSpec.lora(2, 2), 11);
    Optimizer opt = Optimizer.create(Optimizer.Kind.ADAMW, a.parameters(), 1e-3);
    Toy.Data data = new Toy.Data(2, false);
    return new Run(new TrainLoop(s, Runtime.cpu(), net, a, data, opt, null).withLookahead(lookahead), a, net, data);
  }


  List<Double> train(Run r) throws Exception {
    List<Double> losses = new ArrayList<>();
    r.loop().run(new Toy.Recorder(dir), null, new TrainListener() {
      @Override
      public void step(StepReport report) {
        losses.add(report.loss());
      }
    }, TrainRequests.NONE);
    return losses;
  }

  static void assertSameWeights(AdapterSet a, AdapterSet b) {
    try (PointerScope scope = new PointerScope()) {
      Map<String, Tensor> x = a.snapshot();
      Map<String, Tensor> y = b.snapshot();
      assertThat(y.keySet()).isEqualTo(x.keySet());
      for (String k : x.keySet()) assertThat(Tensors.toFloats(y.get(k))).as(k).containsExactly(Tensors.toFloats(x.get(k)));
    }
  }

  @Test
  void withAndWithout_sameLossesAndWeights_andEveryStepButTheFirstUsesALookahead() throws Exception {
    Predicate<String> notStem = p -> !p.equals("stem");
    Run ahead = build(settings(8, 0), true, notStem);
    Run plain = build(settings(8, 0), false, notStem);
    List<Double> a = train(ahead);
    List<Double> p = train(plain);

    assertThat(a).hasSize(8).containsExactlyElementsOf(p);
    assertSameWeights(ahead.adapters(), plain.adapters());
    // steps 2..8 were prepared during the previous step's backward; none is prepared past the run's end
    assertThat(ahead.net().frontsElsewhere.get()).isEqualTo(7);
    assertThat(plain.net().frontsElsewhere.get()).isZero();
    // the data stream stands where an uninterrupted run without look-ahead leaves it
    assertThat(ahead.data().state()).isEqualTo(plain.data().state());
  }

  @Test
  void runStep_thenFinish_putsTheDataStreamBack() {
    Run r = build(settings(100, 0), true, p -> !p.equals("stem"));
    for (int i = 0; i < 3; i++) r.loop().runStep();
    r.loop().finish();   // waits for the look-ahead of step 4 (it drew the fourth batch), then undoes it
    assertThat(r.net().frontsElsewhere.get()).as("steps 2, 3 and 4 prepared ahead").isEqualTo(3);
    assertThat(r.data().state()).as("three batches consumed").isEqualTo("0:6");
  }

  @Test
  void checkpointTakenWhileALookaheadIsPending_resumesToTheSameBytes() throws Exception {
    TrainLoop.Settings s = settings(10, 4);   // saves after steps 4 and 8, each while step 5 / 9 is being prepared
    Run straight = build(s, true, p -> !p.equals("stem"));
    Toy.Recorder all = new Toy.Recorder(dir);
    straight.loop().run(all, null, TrainListener.NONE, TrainRequests.NONE);
    assertThat(all.saved).containsExactly(4L, 8L, 10L);

    Run resumed = build(s, true, p -> !p.equals("stem"));
    resumed.loop().loadState(all.stateFile(4));
    resumed.loop().run(new Toy.Recorder(dir), null, TrainListener.NONE, TrainRequests.NONE);
    assertSameWeights(straight.adapters(), resumed.adapters());

    Run plain = build(s, false, p -> !p.equals("stem"));
    plain.loop().run(new Toy.Recorder(dir), null, TrainListener.NONE, TrainRequests.NONE);
    assertSameWeights(straight.adapters(), plain.adapters());
  }

  @Test
  void aFrontThatTrains_isNeverComputedAhead() throws Exception {
    Run all = build(settings(5, 0), true, p -> true);   // the stem gets a LoRA too
    assertThat(all.net().hasFrozenFront()).isFalse();
    List<Double> losses = train(all);
    assertThat(losses).hasSize(5);
    assertThat(all.net().frontsElsewhere.get()).isZero();
  }
}
