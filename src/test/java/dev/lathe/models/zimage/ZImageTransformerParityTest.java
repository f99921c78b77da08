package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.nn.Linear;
import dev.lathe.nn.LinearAdapter;
import dev.lathe.nn.Remat;
import dev.lathe.nn.TokenSplit;
import dev.lathe.testing.Fixtures;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Z-Image transformer against the diffusers goldens (src/test/resources/fixtures/zimage), loaded through the
 * production loader in every layout: diffusers F32, ComfyUI BF16 with fused qkv, with the full-checkpoint prefix, a
 * sharded copy and a BF16 copy written here.
 */
class ZImageTransformerParityTest {
  static Runtime cpu;
  static ZImageTransformer model;
  static Checkpoint in;
  static Checkpoint out;

  private static int threadsBefore;
  private static long minElementsBefore;

  @BeforeAll
  static void load() throws IOException {
    cpu = Runtime.cpu();
    threadsBefore = torch.get_num_threads();
    torch.set_num_threads(3);   // the token split's parts follow the intra-op threads: 3 uneven parts of the 128 joined rows
    minElementsBefore = TokenSplit.setMinElements(1024);   // the fixture's blocks are far below the production threshold
    model = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    in = Checkpoint.open(Fixtures.path("zimage/inputs.safetensors"));
    out = Checkpoint.open(Fixtures.path("zimage/outputs.safetensors"));
  }

  static List<Tensor> run(ZImageTransformer m, String prefix, Probe probe) throws IOException {
    return m.forward(List.of(in.load(prefix + "x.0"), in.load(prefix + "x.1")), in.load(prefix + "t"),
        List.of(in.load(prefix + "cap_feats.0"), in.load(prefix + "cap_feats.1")), probe);
  }

  @Test
  void config_fromMetadataAndFromShapes_equalsFixtureConfigA() throws IOException {
    try (Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights_comfy.safetensors"))) {
      assertThat(ZImageKeys.config(ck)).isEqualTo(ZImageTransformer.Config.tiny());
      assertThat(ZImageKeys.infer(ck)).isEqualTo(ZImageTransformer.Config.tiny().withAxesLens(ZImageTransformer.Config.turbo().axesLens()));
    }
    try (Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      assertThat(ZImageKeys.infer(ck).withAxesLens(List.of(64, 16, 16))).isEqualTo(ZImageTransformer.Config.tiny());
    }
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Fixtures.path("zimage/config.json").toFile());
    assertThat(ZImageTransformer.Config.fromJson(json)).isEqualTo(ZImageTransformer.Config.tiny());
    assertThat(dev.lathe.nn.Modules.parameterCount(model)).isEqualTo(706_144);
  }

  @Test
  void mainCase_outputsIntermediatesAndPositionIds_matchGoldens() throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      Map<String, Tensor> rec = new HashMap<>();
      List<Tensor> outs = run(model, "", rec::put);
      for (int i = 0; i < 2; i++) Parity.of(outs.get(i), out.load("out." + i)).assertFp32("out." + i);
      int checked = 0;
      for (String n : out.names()) {
        if (!n.startsWith("inter.")) continue;
        Tensor mine = rec.get(n.substring("inter.".length()));
        assertThat(mine).as("intermediate %s recorded", n).isNotNull();
        Parity.of(mine, out.load(n)).assertFp32(n);
        checked++;
      }
      assertThat(checked).isEqualTo(18);
      ZImageTransformer.Geometry geo = geometry(model, "");
      for (int i = 0; i < 2; i++) {
        assertThat(flatten(geo.xIds[i])).containsExactly(ints(out.load("x_pos_ids." + i)));
        assertThat(flatten(geo.capIds[i])).containsExactly(ints(out.load("cap_pos_ids." + i)));
      }
    }
  }

  @Test
  void raggedBatch_outputsAndPositionIds_matchGoldens() throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> outs = run(model, "ragged.", Probe.NONE);
      assertThat(Tensors.shape(outs.get(1))).containsExactly(16, 1, 10, 14);
      for (int i = 0; i < 2; i++) Parity.of(outs.get(i), out.load("ragged.out." + i)).assertFp32("ragged.out." + i);
      ZImageTransformer.Geometry geo = geometry(model, "ragged.");
      assertThat(geo.l).containsExactly(96, 35);
      assertThat(geo.lp).containsExactly(96, 64);
      for (int i = 0; i < 2; i++) {
        assertThat(flatten(geo.xIds[i])).containsExactly(ints(out.load("ragged.x_pos_ids." + i)));
        assertThat(flatten(geo.capIds[i])).containsExactly(ints(out.load("ragged.cap_pos_ids." + i)));
      }
    }
  }

  @Test
  void eachItemAlone_matchesTheBatchedRun() throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (String prefix : List.of("", "ragged.")) {
        for (int i = 0; i < 2; i++) {
          Tensor t = in.load(prefix + "t").narrow(0, i, 1);
          Tensor alone = model.forward(List.of(in.load(prefix + "x." + i)), t, List.of(in.load(prefix + "cap_feats." + i)), Probe.NONE).get(0);
          Parity.of(alone, out.load(prefix + "out." + i)).assertFp32(prefix + "alone." + i);
        }
      }
    }
  }

  @Test
  void comfyLayout_bf16FusedQkv_givesIdenticalOutputs() throws IOException {
    ZImageTransformer comfy = ZImage.loadTransformer(Fixtures.path("zimage/weights_comfy.safetensors"), cpu);
    assertIdentical(comfy);
  }

  @Test
  void comfyFullCheckpoint_prefixedAndBesideOtherComponents_loads(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("z_image_turbo_aio.safetensors");
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights_comfy.safetensors"))) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (String n : ck.names()) w.put(ZImageKeys.COMFY_PREFIX + n, ck.load(n));
      w.put("first_stage_model.decoder.conv_in.weight", torch.zeros(4, 16, 3, 3));   // another component: ignored
      w.write(file);
    }
    assertIdentical(ZImage.loadTransformer(file, cpu));
  }

  @Test
  void shardedDiffusersFolder_loadsThroughItsIndex(@TempDir Path dir) throws IOException {
    Path folder = dir.resolve("transformer");
    Files.createDirectories(folder);
    Map<String, String> weightMap = new LinkedHashMap<>();
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      List<String> names = ck.names();
      SafeTensorsWriter[] shards = {new SafeTensorsWriter(), new SafeTensorsWriter()};
      for (int i = 0; i < names.size(); i++) {
        int shard = i < names.size() / 2 ? 0 : 1;
        shards[shard].put(names.get(i), ck.load(names.get(i)));
        weightMap.put(names.get(i), "diffusion_pytorch_model-0000" + (shard + 1) + "-of-00002.safetensors");
      }
      for (int i = 0; i < 2; i++) shards[i].write(folder.resolve("diffusion_pytorch_model-0000" + (i + 1) + "-of-00002.safetensors"));
    }
    Files.writeString(folder.resolve("diffusion_pytorch_model.safetensors.index.json"),
        new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(Map.of("metadata", Map.of("total_size", 1), "weight_map", weightMap)));
    Files.copy(Fixtures.path("zimage/config.json"), folder.resolve("config.json"));
    assertIdentical(ZImage.loadTransformer(folder, cpu));
  }

  @Test
  void bf16DiffusersCopy_loadsAndCastsToTheRunDtype(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("diffusion_pytorch_model.safetensors");
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (String n : ck.names()) w.put(n, ck.load(n, ScalarType.BFloat16, null));
      w.write(file);
    }
    ZImageTransformer m = ZImage.loadTransformer(file, cpu);
    assertThat(m.dtype()).isEqualTo(ScalarType.Float);
    assertIdentical(m);
  }

  @Test
  void bf16Compute_smoke_staysCloseToTheGoldens() throws IOException {
    Runtime bf16 = Runtime.create("cpu", "bf16", 0);
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights_comfy.safetensors"), bf16);
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> outs = run(m, "", Probe.NONE);
      assertThat(Tensors.dtype(outs.get(0))).isEqualTo(ScalarType.BFloat16);
      for (int i = 0; i < 2; i++) assertThat(Parity.of(outs.get(i), out.load("out." + i)).cosine()).isGreaterThan(0.999);
    }
  }

  private static void assertIdentical(ZImageTransformer other) throws IOException {
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      List<Tensor> a = run(model, "", Probe.NONE);
      List<Tensor> b = run(other, "", Probe.NONE);
      for (int i = 0; i < 2; i++) {
        assertThat(b.get(i).sub(a.get(i)).abs().max().item_float()).as("max |Δ| to the diffusers-layout model").isZero();
        Parity.of(b.get(i), out.load("out." + i)).assertFp32("out." + i);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // LoRA: merged output, loss and gradients (a minimal adapter here; the production one lives in dev.lathe.adapters)

  /** y += s·B(A x). */
  static final class TestLora implements LinearAdapter {
    final Tensor a, b;
    final Scalar scale;

    TestLora(Tensor a, Tensor b, double scale) {
      this.a = a;
      this.b = b;
      this.scale = new Scalar(scale);
    }

    @Override
    public Tensor forward(Tensor x) {
      return torch.linear(torch.linear(x, a), b).mul(scale);
    }

    @Override
    public List<Tensor> trainables() {
      return List.of(a, b);
    }
  }

  static final List<String> LORA_MODULES = List.of("layers.0.attention.to_q", "layers.1.feed_forward.w2");

  @Test
  void loraMerged_matchesGoldens() throws IOException {
    ZImageTransformer merged = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    try (Checkpoint lora = Checkpoint.open(Fixtures.path("zimage/lora.safetensors"));
         PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      for (String m : LORA_MODULES) {
        String p = "diffusion_model." + m;
        Tensor a = lora.load(p + ".lora_A.weight"), b = lora.load(p + ".lora_B.weight");
        double scale = lora.load(p + ".alpha").item_double() / a.size(0);
        assertThat(scale).isEqualTo(2.0);
        Linear l = merged.linears().get(m);
        l.weight().add_(b.matmul(a), new Scalar(scale));                 // W' = W + s·B·A
      }
      List<Tensor> outs = run(merged, "", Probe.NONE);
      for (int i = 0; i < 2; i++) Parity.of(outs.get(i), out.load("lora_merged.out." + i)).assertFp32("lora_merged.out." + i);
    }
  }

  @AfterAll
  static void restoreThreads() {
    torch.set_num_threads(threadsBefore);
    TokenSplit.setMinElements(minElementsBefore);
  }

  @Test
  void loraLossAndGradients_matchGoldens_withAndWithoutCheckpointing_wholeAndSplit() throws IOException {
    Map<String, float[]> plain = loraGradients(Remat.none(), true);
    Map<String, float[]> remat = loraGradients(Remat.checkpoint(), true);
    for (String k : plain.keySet()) {
      assertThat(remat.get(k)).as("checkpointed gradient %s", k).containsExactly(plain.get(k));
    }
    long before = TokenSplit.splitsSoFar();
    Map<String, float[]> split = loraGradients(Remat.of(false, true), true);
    assertThat(TokenSplit.splitsSoFar()).as("the blocks ran split").isGreaterThan(before);
    Map<String, float[]> splitRemat = loraGradients(Remat.of(true, true), true);
    for (String k : plain.keySet()) {
      Parity.of(split.get(k), plain.get(k)).assertFp32("split gradient " + k);
      // the recompute runs the same split as the forward: the same bits
      assertThat(splitRemat.get(k)).as("checkpointed split gradient %s", k).containsExactly(split.get(k));
    }
  }

  @Test
  void tokenSplit_attentionByHeads_matchesGoldens() throws IOException {
    // at this class's 3 threads the fixture's 2 heads cannot be divided; at 2, each thread attends with one head
    torch.set_num_threads(2);
    try {
      long before = TokenSplit.headSplitsSoFar();
      try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
        for (String prefix : List.of("", "ragged.")) {   // the ragged batch's key mask is shared by the head groups
          List<Tensor> outs = run(model, prefix, Probe.NONE);
          for (int i = 0; i < 2; i++) Parity.of(outs.get(i), out.load(prefix + "out." + i)).assertFp32("by heads " + prefix + "out." + i);
        }
      }
      assertThat(TokenSplit.headSplitsSoFar()).as("the attention ran by heads").isGreaterThan(before);
      Map<String, float[]> split = loraGradients(Remat.of(false, true), true);
      Map<String, float[]> again = loraGradients(Remat.of(false, true), false);
      Map<String, float[]> splitRemat = loraGradients(Remat.of(true, true), true);
      for (String k : split.keySet()) {
        assertThat(again.get(k)).as("a second run: %s", k).containsExactly(split.get(k));
        assertThat(splitRemat.get(k)).as("checkpointed: %s", k).containsExactly(split.get(k));
      }
    } finally {
      torch.set_num_threads(3);
    }
  }

  @Test
  void tokenSplit_isRepeatable_andAddsToGradientsAlreadyThere() throws IOException {
    // two backward passes into the same leaves: the second adds to the first in a fixed order, whatever thread ends first
    Map<String, float[]> once = loraGradients(Remat.of(false, true), false);
    for (int run = 0; run < 2; run++) {
      Map<String, float[]> again = loraGradients(Remat.of(false, true), false);
      for (String k : once.keySet()) assertThat(again.get(k)).as("split gradient %s, run %d", k, run).containsExactly(once.get(k));
    }
    Map<String, float[]> twice = loraGradients(Remat.of(false, true), false, 2);
    Map<String, float[]> twiceAgain = loraGradients(Remat.of(false, true), false, 2);
    for (String k : once.keySet()) {
      assertThat(twiceAgain.get(k)).as("accumulated %s", k).containsExactly(twice.get(k));
      Parity.of(twice.get(k), scaled(once.get(k), 2)).assertFp32("two backward passes add up: " + k);
    }
  }

  @Test
  void tokenSplit_adapterOfUnknownTensors_keepsTheBlockWhole() throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    m.setRemat(Remat.of(false, true));
    try (PointerScope s = new PointerScope()) {
      Tensor a = torch.randn(4, 64).mul(new Scalar(0.05)).requires_grad_(true);
      Tensor b = torch.randn(64, 4).mul(new Scalar(0.05)).requires_grad_(true);
      LinearAdapter opaque = x -> torch.linear(torch.linear(x, a), b);   // trainables() unknown: a split would lose them
      for (int i = 0; i < 2; i++) m.linears().get("layers." + i + ".attention.to_q").setAdapter(opaque);
      for (int i = 0; i < 2; i++) m.linears().get("noise_refiner." + i + ".attention.to_q").setAdapter(opaque);
      for (int i = 0; i < 2; i++) m.linears().get("context_refiner." + i + ".attention.to_q").setAdapter(opaque);
      long before = TokenSplit.splitsSoFar();
      Tensor y = run(m, "", Probe.NONE).get(0);
      assertThat(TokenSplit.splitsSoFar()).as("no block with the opaque adapter split").isEqualTo(before);
      y.square().mean().backward();
      assertThat(a.grad().defined()).isTrue();
    }
  }

  @Test
  void splitsLayers_tellsWhetherTheLastPassSplitTheMainLayers() throws IOException {
    // the trainer's look-ahead asks this after each forward: it runs only while the main layers stay whole
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    assertThat(m.splitsLayers()).as("before any pass").isFalse();
    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
      run(m, "", Probe.NONE);
      assertThat(m.splitsLayers()).as("128 rows × 64 × batch 2 at this test's threshold").isTrue();
      long before = TokenSplit.setMinElements(1L << 20);   // the fixture is then too small to split
      try {
        run(m, "", Probe.NONE);
        assertThat(m.splitsLayers()).isFalse();
      } finally {
        TokenSplit.setMinElements(before);
      }
    }
  }

  private static float[] scaled(float[] v, float k) {
    float[] r = new float[v.length];
    for (int i = 0; i < v.length; i++) r[i] = v[i] * k;
    return r;
  }

  private Map<String, float[]> loraGradients(Remat remat, boolean checkGoldens) throws IOException {
    return loraGradients(remat, checkGoldens, 1);
  }

  /** Runs the golden LoRA step ({@code passes} times, gradients adding up); checks loss and gradients; returns the gradients by name. */
  private Map<String, float[]> loraGradients(Remat remat, boolean checkGoldens, int passes) throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    m.setRemat(remat);
    Map<String, float[]> grads = new LinkedHashMap<>();
    try (Checkpoint lora = Checkpoint.open(Fixtures.path("zimage/lora.safetensors")); PointerScope s = new PointerScope()) {
      Map<String, TestLora> adapters = new LinkedHashMap<>();
      for (String name : LORA_MODULES) {
        String p = "diffusion_model." + name;
        Tensor a = lora.load(p + ".lora_A.weight").requires_grad_(true);
        Tensor b = lora.load(p + ".lora_B.weight").requires_grad_(true);
        TestLora ad = new TestLora(a, b, lora.load(p + ".alpha").item_double() / a.size(0));
        m.linears().get(name).setAdapter(ad);
        adapters.put(p, ad);
      }
      for (int pass = 0; pass < passes; pass++) {   // each pass a forward and a backward, into the same leaves
        List<Tensor> outs = run(m, "", Probe.NONE);
        Tensor pred = torch.stack(new TensorVector(outs.get(0), outs.get(1)), 0);
        Tensor target = torch.stack(new TensorVector(in.load("target.0"), in.load("target.1")), 0);
        Tensor loss = pred.sub(target).square().mean();
        if (checkGoldens) Parity.of(loss, out.load("lora.loss")).assertFp32("lora.loss");
        loss.backward();
      }
      for (var e : adapters.entrySet()) {
        for (String part : List.of("lora_A", "lora_B")) {
          Tensor grad = (part.equals("lora_A") ? e.getValue().a : e.getValue().b).grad();
          String key = "grad." + e.getKey() + "." + part + ".weight";
          if (checkGoldens) Parity.of(grad, out.load(key)).assertFp32(key);
          grads.put(key, Tensors.toFloats(grad));
        }
      }
    }
    return grads;
  }

  @Test
  void checkpointing_refinersAndInputsRequiringGrad_sameGradients() throws IOException {
    // adapters in a noise-refiner block and in both main layers, plus a caption input that requires grad: gradients
    // must flow through every checkpointed block back to the caption
    Map<String, float[]> plain = refinerGradients(Remat.none());
    Map<String, float[]> remat = refinerGradients(Remat.checkpoint());
    assertThat(remat.keySet()).isEqualTo(plain.keySet());
    for (String k : plain.keySet()) {
      assertThat(Parity.of(remat.get(k), plain.get(k)).maxAbsDiff()).as(k).isLessThanOrEqualTo(1e-7 * maxAbs(plain.get(k)));
    }
    // split: the modulation's adapter trains through the shared input, the caption through the refiners and the joined rows
    for (boolean checkpoint : new boolean[] {false, true}) {
      Map<String, float[]> split = refinerGradients(Remat.of(checkpoint, true));
      for (String k : plain.keySet()) Parity.of(split.get(k), plain.get(k)).assertFp32((checkpoint ? "checkpointed " : "") + "split " + k);
    }
  }

  private Map<String, float[]> refinerGradients(Remat remat) throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    m.setRemat(remat);
    Map<String, float[]> grads = new LinkedHashMap<>();
    try (PointerScope s = new PointerScope()) {
      Map<String, TestLora> adapters = new LinkedHashMap<>();
      var gen = Runtime.generator(7);
      for (String name : List.of("noise_refiner.1.attention.to_v", "context_refiner.0.feed_forward.w1", "layers.0.adaLN_modulation.0", "layers.1.attention.to_out.0")) {
        Linear l = m.linears().get(name);
        Tensor a = torch.randn(new long[] {4, l.in}, new org.bytedeco.pytorch.GeneratorOptional(gen), new org.bytedeco.pytorch.TensorOptions(ScalarType.Float)).mul(new Scalar(0.05)).requires_grad_(true);
        Tensor b = torch.randn(new long[] {l.out, 4}, new org.bytedeco.pytorch.GeneratorOptional(gen), new org.bytedeco.pytorch.TensorOptions(ScalarType.Float)).mul(new Scalar(0.05)).requires_grad_(true);
        TestLora ad = new TestLora(a, b, 2.0);
        l.setAdapter(ad);
        adapters.put(name, ad);
      }
      Tensor cap0 = in.load("cap_feats.0").requires_grad_(true);
      List<Tensor> outs = m.forward(List.of(in.load("x.0"), in.load("x.1")), in.load("t"), List.of(cap0, in.load("cap_feats.1")), Probe.NONE);
      Tensor loss = outs.get(0).sub(in.load("target.0")).square().mean().add(outs.get(1).sub(in.load("target.1")).square().mean());
      loss.backward();
      for (var e : adapters.entrySet()) {
        grads.put(e.getKey() + ".A", Tensors.toFloats(e.getValue().a.grad()));
        grads.put(e.getKey() + ".B", Tensors.toFloats(e.getValue().b.grad()));
      }
      grads.put("cap_feats.0", Tensors.toFloats(cap0.grad()));
    }
    return grads;
  }

  @Test
  void checkpointing_twoGraphsAndANoGradPassBetween_backpropagateTogether() throws IOException {
    // the trainer's DOP step: prediction with grad, prior without, preservation with grad, one backward for both
    Map<String, float[]> plain = twoGraphGradients(Remat.none());
    Map<String, float[]> remat = twoGraphGradients(Remat.checkpoint());
    for (String k : plain.keySet()) {
      assertThat(Parity.of(remat.get(k), plain.get(k)).maxAbsDiff()).as(k).isLessThanOrEqualTo(1e-7 * maxAbs(plain.get(k)));
    }
    for (boolean checkpoint : new boolean[] {false, true}) {
      Map<String, float[]> split = twoGraphGradients(Remat.of(checkpoint, true));
      for (String k : plain.keySet()) Parity.of(split.get(k), plain.get(k)).assertFp32((checkpoint ? "checkpointed " : "") + "split " + k);
    }
  }

  private Map<String, float[]> twoGraphGradients(Remat remat) throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    m.setRemat(remat);
    Map<String, float[]> grads = new LinkedHashMap<>();
    try (Checkpoint lora = Checkpoint.open(Fixtures.path("zimage/lora.safetensors")); PointerScope s = new PointerScope()) {
      String p = "diffusion_model.layers.1.feed_forward.w2";
      TestLora ad = new TestLora(lora.load(p + ".lora_A.weight").requires_grad_(true), lora.load(p + ".lora_B.weight").requires_grad_(true), 2.0);
      m.linears().get("layers.1.feed_forward.w2").setAdapter(ad);
      Tensor first = run(m, "", Probe.NONE).get(0);
      Tensor prior;
      try (NoGradGuard g = new NoGradGuard()) {
        prior = run(m, "ragged.", Probe.NONE).get(0);
      }
      Tensor second = run(m, "ragged.", Probe.NONE).get(0);
      first.sub(in.load("target.0")).square().mean().add(second.sub(prior).square().mean()).backward();
      grads.put("A", Tensors.toFloats(ad.a.grad()));
      grads.put("B", Tensors.toFloats(ad.b.grad()));
    }
    return grads;
  }

  @Test
  void checkpointing_forwardIsBitIdentical_andNoGradSkipsTheHooks() throws IOException {
    ZImageTransformer m = ZImage.loadTransformer(Fixtures.path("zimage/weights.safetensors"), cpu);
    m.setRemat(Remat.checkpoint());
    try (PointerScope s = new PointerScope()) {
      Tensor a = torch.randn(4, 64).requires_grad_(true);
      m.linears().get("layers.0.attention.to_q").setAdapter(new TestLora(a, torch.zeros(64, 4), 1.0));
      List<Tensor> withGrad = run(m, "", Probe.NONE);
      assertThat(withGrad.get(0).requires_grad()).isTrue();
      m.setRemat(Remat.none());   // the same model in one piece, with the graph kept
      List<Tensor> ref = run(m, "", Probe.NONE);
      m.setRemat(Remat.checkpoint());
      for (int i = 0; i < 2; i++) assertThat(withGrad.get(i).sub(ref.get(i)).abs().max().item_float()).isZero();
      try (NoGradGuard g = new NoGradGuard()) {
        assertThat(run(m, "", Probe.NONE).get(0).requires_grad()).isFalse();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Loader errors: one line naming the file and the keys

  @Test
  void loader_missingUnexpectedAndMisshapenTensors_oneLineErrors(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("broken.safetensors");
    try (PointerScope s = new PointerScope(); Checkpoint ck = Checkpoint.open(Fixtures.path("zimage/weights.safetensors"))) {
      SafeTensorsWriter w = new SafeTensorsWriter();
      for (String n : ck.names()) {
        if (n.equals("x_pad_token")) continue;                                               // missing
        w.put(n, n.equals("cap_pad_token") ? torch.zeros(1, 65) : ck.load(n));               // wrong shape
      }
      w.put("layers.2.attention.to_q.weight", torch.zeros(64, 64));                           // unexpected
      w.write(file);
    }
    ZImageTransformer m = new ZImageTransformer(ZImageTransformer.Config.tiny(), dev.lathe.nn.Params.deferred(ScalarType.Float));
    try (Checkpoint ck = Checkpoint.open(file)) {
      assertThatThrownBy(() -> ZImageKeys.load(m, ck, ScalarType.Float, cpu.device()))
          .hasMessage(file + ": does not fit the model: 1 missing tensor 'x_pad_token'; 1 unexpected tensor 'layers.2.attention.to_q.weight'; "
              + "1 shape mismatch: 'cap_pad_token' is [1, 65], the model needs [1, 64]");
    }
    assertThat(dev.lathe.nn.Params.isPlaceholder(m.linears().get("layers.0.attention.to_q").weight())).as("nothing loaded halfway").isTrue();
  }

  // ---------------------------------------------------------------------------------------------------------------

  private static ZImageTransformer.Geometry geometry(ZImageTransformer m, String prefix) throws IOException {
    ZImageTransformer.Geometries gs = new ZImageTransformer.Geometries(m.cfg);
    return gs.of(List.of(in.load(prefix + "x.0"), in.load(prefix + "x.1")), List.of(in.load(prefix + "cap_feats.0"), in.load(prefix + "cap_feats.1")), cpu.device());
  }

  private static long[] flatten(int[][] ids) {
    List<Long> out = new ArrayList<>();
    for (int[] row : ids) for (int v : row) out.add((long) v);
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] ints(Tensor t) {
    return Tensors.toLongs(t);
  }

  private static double maxAbs(float[] v) {
    double m = 0;
    for (float f : v) m = Math.max(m, Math.abs(f));
    return m;
  }
}
