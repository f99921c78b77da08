package dev.lathe.adapters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.nn.Linear;
import dev.lathe.testing.Parity;
import dev.lathe.torch.Checkpoint;
import dev.lathe.torch.SafeTensorsWriter;
import dev.lathe.torch.Tensors;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AdapterSetTest {

  @Test
  void factorization_balancedDivisors() {
    assertThat(LokrAdapter.factorization(3840, -1)).containsExactly(60, 64);
    assertThat(LokrAdapter.factorization(1024, -1)).containsExactly(32, 32);
    assertThat(LokrAdapter.factorization(10240, -1)).containsExactly(80, 128);
    assertThat(LokrAdapter.factorization(3840, 4)).containsExactly(4, 960);
    assertThat(LokrAdapter.factorization(12, 8)).containsExactly(3, 4);      // 8 does not divide 12: balanced, capped
    assertThat(LokrAdapter.factorization(12, 2)).containsExactly(2, 6);
    assertThat(LokrAdapter.factorization(13, -1)).containsExactly(1, 13);   // prime
  }

  @Test
  void loraDelta_handComputed(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Path f = dir.resolve("l.safetensors");
      new SafeTensorsWriter()
          .put("diffusion_model.m.lora_A.weight", Tensors.fromFloats(new float[] {1, 2, 3, 4}, 2, 2))
          .put("diffusion_model.m.lora_B.weight", Tensors.fromFloats(new float[] {1, 0, 0, 1, 1, 1}, 3, 2))
          .put("diffusion_model.m.alpha", Tensors.fromFloats(new float[] {4}))
          .write(f);
      Map<String, Linear> layers = Map.of("m", Layers.linear(2, 3, 1));
      AdapterSet set = AdapterFiles.load(f, layers, Map.of());
      // s = alpha / r = 2; ΔW = 2·B·A = 2·[[1,2],[3,4],[4,6]]
      assertThat(Tensors.toFloats(set.delta("m"))).containsExactly(2, 4, 6, 8, 8, 12);
      Tensor x = Tensors.fromFloats(new float[] {1, -1}, 1, 2);
      Linear l = layers.get("m");
      float[] withAdapter = Tensors.toFloats(l.forward(x));
      set.setEnabled(false);
      float[] base = Tensors.toFloats(l.forward(x));
      // ΔW·x = [2-4, 6-8, 8-12]
      assertThat(withAdapter[0] - base[0]).isCloseTo(-2f, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(withAdapter[1] - base[1]).isCloseTo(-2f, org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(withAdapter[2] - base[2]).isCloseTo(-4f, org.assertj.core.data.Offset.offset(1e-5f));
    }
  }

  @Test
  void lokrDelta_handComputed_fullFactorsIgnoreAlpha(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Path f = dir.resolve("k.safetensors");
      new SafeTensorsWriter()
          .put("diffusion_model.m.lokr_w1", Tensors.fromFloats(new float[] {1, 2}, 1, 2))
          .put("diffusion_model.m.lokr_w2", Tensors.fromFloats(new float[] {0, 1, 1, 0}, 2, 2))
          .put("diffusion_model.m.alpha", Tensors.fromFloats(new float[] {8}))
          .write(f);
      AdapterSet set = AdapterFiles.load(f, Map.of("m", Layers.linear(4, 2, 1)), Map.of());
      assertThat(set.spec().kind()).isEqualTo(AdapterSpec.Kind.LOKR);
      // kron([[1,2]], [[0,1],[1,0]]) = [[0,1,0,2],[1,0,2,0]], scale 1 with two full factors
      assertThat(Tensors.toFloats(set.delta("m"))).containsExactly(0, 1, 0, 2, 1, 0, 2, 0);
    }
  }

  @Test
  void lokrDecomposed_scaleIsAlphaOverRank(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Path f = dir.resolve("k.safetensors");
      new SafeTensorsWriter()
          .put("lycoris_m.lokr_w1", Tensors.fromFloats(new float[] {1, 2}, 1, 2))
          .put("lycoris_m.lokr_w2_a", Tensors.fromFloats(new float[] {1, 2}, 2, 1))
          .put("lycoris_m.lokr_w2_b", Tensors.fromFloats(new float[] {1, 1}, 1, 2))
          .put("lycoris_m.alpha", Tensors.fromFloats(new float[] {3}))
          .write(f);
      AdapterSet set = AdapterFiles.load(f, Map.of("m", Layers.linear(4, 2, 1)), Map.of());
      // w2 = [[1,1],[2,2]], kron([[1,2]], w2) = [[1,1,2,2],[2,2,4,4]], scale 3/1
      assertThat(Tensors.toFloats(set.delta("m"))).containsExactly(3, 3, 6, 6, 6, 6, 12, 12);
    }
  }

  static Stream<Long> seeds() {
    return LongStream.range(0, 40).boxed();
  }

  /** Random kind, rank, alpha and targets from the seed; the adapter path must equal the merged weights. */
  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void mergeMatchesAdapterPath_andUnmergeRestoresBase(long seed) {
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Random r = new Random(seed);
      Map<String, Linear> layers = Layers.small(seed * 7);
      boolean lokr = r.nextBoolean();
      int rank = 1 + r.nextInt(lokr ? 3 : 6);
      AdapterSpec spec = lokr
          ? new AdapterSpec(AdapterSpec.Kind.LOKR, r.nextBoolean() ? 0 : rank, 1 + r.nextInt(8), 0, r.nextBoolean() ? -1 : 2, List.of(), List.of())
          : AdapterSpec.lora(rank, 0.5 + r.nextInt(16));
      AdapterSet set = AdapterSet.attach(layers, p -> p.startsWith("layers."), spec, seed);
      assertThat(set.paths()).doesNotContain("noise_refiner.0.attention.to_q").hasSize(4);
      // make ΔW non-zero: training would; here random values
      for (Tensor t : set.parameters().values()) t.copy_(torch.randn(t.sizes().vec().get()).mul(new org.bytedeco.pytorch.Scalar(0.3)));
      double mult = r.nextBoolean() ? 1 : -1;
      set.setMultiplier(mult);
      Map<String, float[]> before = new java.util.HashMap<>();
      layers.forEach((k, l) -> before.put(k, Tensors.toFloats(l.weight())));
      for (String path : set.paths()) {
        Linear l = layers.get(path);
        Tensor x = Layers.input(3, l.in, seed + 1);
        Tensor viaAdapter = l.forward(x);
        set.merge(mult);
        Tensor viaMerge = l.forward(x);
        set.unmerge();
        Parity.of(viaMerge, viaAdapter).assertFp32("seed " + seed + " " + path);
      }
      set.detach();
      layers.forEach((k, l) -> assertThat(Parity.of(Tensors.toFloats(l.weight()), before.get(k)).maxAbsDiff()).isLessThan(1e-6));
      assertThat(layers.values().stream().allMatch(l -> l.adapter() == null)).isTrue();
    }
  }

  @Test
  void trainingAdapter_mergedThenCancelled_givesBaseOutput_withUserLoraOnTop() {
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Map<String, Linear> layers = Layers.small(21);
      Linear l = layers.get("layers.0.feed_forward.w1");
      Tensor x = Layers.input(3, l.in, 4);
      Tensor base = l.forward(x);
      AdapterSet trainingAdapter = AdapterSet.attach(layers, p -> p.startsWith("layers."), AdapterSpec.lora(3, 3), 1);
      for (Tensor t : trainingAdapter.parameters().values()) t.copy_(torch.randn(t.sizes().vec().get()));
      trainingAdapter.merge(1.0);                         // de-distilled weights for training
      AdapterSet user = AdapterSet.attach(layers, p -> p.startsWith("layers."), AdapterSpec.lora(2, 2), 2);
      for (Tensor t : user.parameters().values()) t.copy_(torch.randn(t.sizes().vec().get()).mul(new org.bytedeco.pytorch.Scalar(0.1)));
      Tensor userOnly = base.add(x.matmul(user.delta("layers.0.feed_forward.w1").t()));
      trainingAdapter.setCancelled(true);                 // previews: Turbo + user LoRA
      Parity.of(l.forward(x), userOnly).assertFp32("cancelled training adapter");
      trainingAdapter.setCancelled(false);                // back to training on merged weights
      Tensor merged = base.add(x.matmul(trainingAdapter.delta("layers.0.feed_forward.w1").t()));
      Parity.of(l.forward(x), merged.add(x.matmul(user.delta("layers.0.feed_forward.w1").t()))).assertFp32("merged + user");
    }
  }

  @Test
  void saveThenLoad_intoFreshLayers_reproducesOutputs(@TempDir Path dir) throws Exception {
    for (AdapterSpec spec : List.of(AdapterSpec.lora(4, 8), AdapterSpec.lokr(-1),
        new AdapterSpec(AdapterSpec.Kind.LOKR, 2, 4, 0, 2, List.of(), List.of()))) {
      try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
        Map<String, Linear> a = Layers.small(3);
        AdapterSet set = AdapterSet.attach(a, p -> true, spec.withTargets(List.of("layers"), List.of("w2")), 11);
        for (Tensor t : set.parameters().values()) t.copy_(torch.randn(t.sizes().vec().get()).mul(new org.bytedeco.pytorch.Scalar(0.2)));
        Path f = dir.resolve(spec.kind() + "-" + spec.rank() + ".safetensors");
        set.save(f, "diffusion_model.", ScalarType.Float, Map.of("format", "pt"));
        try (Checkpoint ck = Checkpoint.open(f)) {
          String suffix = spec.kind() == AdapterSpec.Kind.LORA ? ".lora_A.weight" : ".lokr_w1";
          assertThat(ck.names()).contains("diffusion_model.layers.0.attention.to_q" + suffix, "diffusion_model.layers.0.attention.to_q.alpha")
              .noneMatch(n -> n.contains("feed_forward.w2") || n.contains("noise_refiner"));
          assertThat(ck.info("diffusion_model.layers.0.attention.to_q.alpha").shape()).isEmpty();
        }
        Map<String, Linear> b = Layers.small(3);   // same base weights, no adapters
        AdapterSet loaded = AdapterFiles.load(f, b, Map.of());
        assertThat(loaded.paths()).isEqualTo(set.paths());
        for (String p : set.paths()) {
          Tensor x = Layers.input(2, a.get(p).in, 5);
          Parity.of(b.get(p).forward(x), a.get(p).forward(x)).assertFp32(spec + " " + p);
        }
      }
    }
  }

  @Test
  void kohyaAndPeftSpellings_loadToTheSameAdapter(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Tensor A = torch.randn(2, 12);
      Tensor B = torch.randn(20, 2);
      Path kohya = dir.resolve("kohya.safetensors");
      new SafeTensorsWriter().put("lora_unet_layers_0_feed_forward_w1.lora_down.weight", A)
          .put("lora_unet_layers_0_feed_forward_w1.lora_up.weight", B)
          .put("lora_unet_layers_0_feed_forward_w1.alpha", Tensors.fromFloats(new float[] {1})).write(kohya);
      Path peft = dir.resolve("peft.safetensors");
      new SafeTensorsWriter().put("transformer.layers.0.feed_forward.w1.lora_A.default.weight", A)
          .put("transformer.layers.0.feed_forward.w1.lora_B.default.weight", B.mul(new org.bytedeco.pytorch.Scalar(0.5))).write(peft);
      // kohya: alpha 1, rank 2 → s = 0.5; PEFT without alpha → s = 1 with B pre-scaled by 0.5: the same ΔW
      Map<String, Linear> layers = Layers.small(1);
      Tensor d1 = AdapterFiles.load(kohya, layers, Map.of()).delta("layers.0.feed_forward.w1");
      Tensor d2 = AdapterFiles.load(peft, Layers.small(1), Map.of()).delta("layers.0.feed_forward.w1");
      Parity.of(d2, d1).assertFp32("kohya vs peft");
      assertThat(AdapterFiles.describe(kohya).rank()).isEqualTo(2);
      assertThat(AdapterFiles.describe(peft).alpha()).isEqualTo(2.0);   // no alpha: scale 1, alpha = rank
    }
  }

  @Test
  void fusedAlias_splitsRowsExactly(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope(); NoGradGuard ng = new NoGradGuard()) {
      Tensor A = torch.randn(3, 12);
      Tensor B = torch.randn(36, 3);   // fused qkv: 3 x 12 rows
      Path f = dir.resolve("fused.safetensors");
      new SafeTensorsWriter().put("diffusion_model.blk.attention.qkv.lora_A.weight", A)
          .put("diffusion_model.blk.attention.qkv.lora_B.weight", B).write(f);
      Map<String, Linear> layers = new java.util.LinkedHashMap<>();
      for (String n : List.of("to_q", "to_k", "to_v")) layers.put("blk.attention." + n, Layers.linear(12, 12, n.hashCode()));
      Map<String, List<Slice>> aliases = Map.of("blk.attention.qkv", List.of(new Slice("blk.attention.to_q", 0, 12),
          new Slice("blk.attention.to_k", 12, 12), new Slice("blk.attention.to_v", 24, 12)));
      AdapterSet set = AdapterFiles.load(f, layers, aliases);
      Tensor fused = B.matmul(A);   // no alpha: scale 1
      Tensor parts = torch.cat(new org.bytedeco.pytorch.TensorVector(set.delta("blk.attention.to_q"), set.delta("blk.attention.to_k"),
          set.delta("blk.attention.to_v")), 0);
      assertThat(Parity.of(parts, fused).maxAbsDiff()).isZero();
    }
  }

  @Test
  void badFiles_oneLineErrors(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Path other = dir.resolve("other.safetensors");
      new SafeTensorsWriter().put("diffusion_model.double_blocks.0.img_attn.qkv.lora_A.weight", torch.randn(2, 12))
          .put("diffusion_model.double_blocks.0.img_attn.qkv.lora_B.weight", torch.randn(36, 2)).write(other);
      assertThatThrownBy(() -> AdapterFiles.load(other, Layers.small(1), Map.of()))
          .hasMessageContaining(other.toString()).hasMessageContaining("match no layer").hasMessageContaining("double_blocks.0.img_attn.qkv");

      Path dora = dir.resolve("dora.safetensors");
      new SafeTensorsWriter().put("layers.0.attention.to_q.lora_A.weight", torch.randn(2, 12))
          .put("layers.0.attention.to_q.lora_B.weight", torch.randn(12, 2))
          .put("layers.0.attention.to_q.dora_scale", torch.randn(1, 12)).write(dora);
      assertThatThrownBy(() -> AdapterFiles.load(dora, Layers.small(1), Map.of())).hasMessageContaining("dora_scale");

      Path shape = dir.resolve("shape.safetensors");
      new SafeTensorsWriter().put("layers.0.attention.to_q.lora_A.weight", torch.randn(2, 13))
          .put("layers.0.attention.to_q.lora_B.weight", torch.randn(12, 2)).write(shape);
      assertThatThrownBy(() -> AdapterFiles.load(shape, Layers.small(1), Map.of())).hasMessageContaining("is 12x13 but layer layers.0.attention.to_q is 12x12");
    }
  }

  @Test
  void noTargetMatch_namesPatterns() {
    assertThatThrownBy(() -> AdapterSet.attach(Layers.small(1), p -> false, AdapterSpec.lora(2, 2).withTargets(List.of("nothing"), List.of()), 1))
        .hasMessageContaining("include=[nothing]");
  }

  @Test
  void targeting_globsRegexAndSubstrings() {
    List<String> paths = List.of("layers.0.attention.to_q", "layers.0.feed_forward.w1", "layers.10.feed_forward.w2", "noise_refiner.0.attention.to_q");
    assertThat(Targeting.select(paths, p -> false, List.of("layers.*.feed_forward.w?"), List.of())).containsExactly("layers.0.feed_forward.w1", "layers.10.feed_forward.w2");
    assertThat(Targeting.select(paths, p -> false, List.of("re:^layers\\.1\\d?\\."), List.of())).containsExactly("layers.10.feed_forward.w2");
    assertThat(Targeting.select(paths, p -> p.startsWith("layers"), List.of(), List.of("w2"))).containsExactly("layers.0.attention.to_q", "layers.0.feed_forward.w1");
  }
}
