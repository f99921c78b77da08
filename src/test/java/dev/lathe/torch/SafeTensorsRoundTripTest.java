package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.testing.Fixtures;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafeTensorsRoundTripTest {
  @BeforeAll
  static void load() {
    Runtime.load();
  }

  /** Random bytes in a tensor of {@code dtype}: every bit pattern, NaNs and denormals included. */
  private static Tensor randomTensor(DType dtype, long[] shape, long seed) {
    long n = dtype.byteCount(TensorInfo.numel(shape));
    byte[] bytes = new byte[(int) n];
    new Random(seed).nextBytes(bytes);
    if (dtype == DType.BOOL) for (int i = 0; i < bytes.length; i++) bytes[i] &= 1;
    return fromBytes(dtype, shape, bytes);
  }

  private static Tensor fromBytes(DType dtype, long[] shape, byte[] bytes) {
    Tensor t = org.bytedeco.pytorch.global.torch.empty(shape, new org.bytedeco.pytorch.TensorOptions(dtype.scalarType()),
        new org.bytedeco.pytorch.MemoryFormatOptional());
    if (bytes.length > 0) new BytePointer(t.data_ptr()).put(bytes);
    return t;
  }

  private static byte[] bytesOf(Tensor t) {
    Tensor c = t.contiguous();
    byte[] out = new byte[(int) c.nbytes()];
    if (out.length > 0) new BytePointer(c.data_ptr()).get(out);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DType.class, names = {"F6_E2M3", "F6_E3M2", "F4"}, mode = EnumSource.Mode.EXCLUDE)
  void roundTrip_everyTorchDtype_isBitExact(DType dtype, @TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Tensor a = randomTensor(dtype, new long[] {3, 5, 7}, dtype.ordinal());
      Tensor scalar = randomTensor(dtype, new long[] {}, 99);
      Tensor empty = randomTensor(dtype, new long[] {0, 4}, 1);
      Path file = dir.resolve("t.safetensors");
      new SafeTensorsWriter().put("a", a).put("scalar", scalar).put("empty", empty).metadata("format", "pt").write(file);

      try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
        assertThat(f.info("a").dtype()).isEqualTo(dtype);
        assertThat(f.info("a").shape()).containsExactly(3, 5, 7);
        assertThat(f.info("scalar").shape()).isEmpty();
        assertThat(f.metadata()).containsEntry("format", "pt");
        assertThat(f.dataStart() % 8).isZero();
        assertThat(bytesOf(f.load("a"))).isEqualTo(bytesOf(a));
        assertThat(bytesOf(f.load("scalar"))).isEqualTo(bytesOf(scalar));
        assertThat(Tensors.shape(f.load("empty"))).containsExactly(0, 4);
        assertThat(Tensors.dtype(f.load("a"))).isEqualTo(dtype.scalarType());
        // raw bytes agree with the tensor bytes: the file is little-endian row-major
        byte[] raw = new byte[(int) f.info("a").byteSize()];
        f.rawBytes("a").get(raw);
        assertThat(raw).isEqualTo(bytesOf(a));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(value = DType.class, names = {"F6_E2M3", "F6_E3M2", "F4"})
  void packedSubByteTypes_roundTripAsRawBytes_andRefuseTensorLoad(DType dtype, @TempDir Path dir) throws Exception {
    long[] shape = {4, 8};   // 32 elements: a whole number of bytes for 4- and 6-bit types
    byte[] bytes = new byte[(int) dtype.byteCount(32)];
    new Random(5).nextBytes(bytes);
    Path file = dir.resolve("p.safetensors");
    new SafeTensorsWriter().putRaw("p", dtype, shape, bytes).write(file);
    try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
      byte[] back = new byte[bytes.length];
      f.rawBytes("p").get(back);
      assertThat(back).isEqualTo(bytes);
      assertThatThrownBy(() -> f.load("p")).isInstanceOf(SafeTensorsException.class).hasMessageContaining("p.safetensors")
          .hasMessageContaining(dtype.name());
    }
  }

  @Test
  void bf16_loadsAsF32_exactly(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      float[] values = {1.5f, -2.25f, 0.001953125f, 65280f, 0f, -0f};
      Tensor bf = Tensors.fromFloats(values, 2, 3).to(ScalarType.BFloat16);
      Path file = dir.resolve("b.safetensors");
      new SafeTensorsWriter().put("w", bf).write(file);
      try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
        float[] back = Tensors.toFloats(f.load("w", ScalarType.Float, null));
        float[] expect = Tensors.toFloats(bf);
        assertThat(back).containsExactly(expect);
        // bf16 is the top half of f32: these values are exactly representable
        assertThat(back).containsExactly(values);
      }
    }
  }

  @Test
  void header_isPaddedToEight_andReadableByHand(@TempDir Path dir) throws Exception {
    try (PointerScope scope = new PointerScope()) {
      Path file = dir.resolve("h.safetensors");
      new SafeTensorsWriter().put("x", Tensors.fromFloats(new float[] {1, 2, 3}, 3)).metadata("k", "v").write(file);
      byte[] all = Files.readAllBytes(file);
      long n = ByteBuffer.wrap(all, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(n % 8).isZero();
      String json = new String(all, 8, (int) n, java.nio.charset.StandardCharsets.UTF_8);
      assertThat(json.trim()).isEqualTo("{\"__metadata__\":{\"k\":\"v\"},\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]}}");
      ByteBuffer data = ByteBuffer.wrap(all, 8 + (int) n, 12).order(ByteOrder.LITTLE_ENDIAN);
      assertThat(new float[] {data.getFloat(), data.getFloat(), data.getFloat()}).containsExactly(1f, 2f, 3f);
      assertThat(all.length).isEqualTo(8 + n + 12);
    }
  }

  @Test
  void referenceFiles_rewriteToIdenticalTensorBytes(@TempDir Path dir) throws Exception {
    for (String name : new String[] {"zimage/weights.safetensors", "zimage/weights_comfy.safetensors", "flux-vae/weights_ldm.safetensors"}) {
      Path src = Fixtures.path(name);
      Path dst = dir.resolve("copy.safetensors");
      try (PointerScope scope = new PointerScope(); SafeTensorsFile in = SafeTensorsFile.open(src)) {
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(in.metadata());
        for (String t : in.names()) w.put(t, in.load(t));
        w.write(dst);
        try (SafeTensorsFile out = SafeTensorsFile.open(dst)) {
          assertThat(out.names()).containsExactlyInAnyOrderElementsOf(in.names());
          assertThat(out.metadata()).isEqualTo(in.metadata());
          for (String t : in.names()) {
            byte[] a = new byte[(int) in.info(t).byteSize()];
            byte[] b = new byte[a.length];
            in.rawBytes(t).get(a);
            out.rawBytes(t).get(b);
            assertThat(b).as(name + " " + t).isEqualTo(a);
          }
        }
      }
    }
  }

  @Test
  void convertOnLoad_bf16FileToF32_matchesF32File() throws Exception {
    try (PointerScope scope = new PointerScope();
        SafeTensorsFile f32 = SafeTensorsFile.open(Fixtures.path("zimage/weights.safetensors"));
        SafeTensorsFile bf16 = SafeTensorsFile.open(Fixtures.path("zimage/weights_comfy.safetensors"))) {
      String name = "layers.0.feed_forward.w1.weight";   // same key in both layouts
      assertThat(bf16.info(name).dtype()).isEqualTo(DType.BF16);
      float[] a = Tensors.toFloats(f32.load(name));
      float[] b = Tensors.toFloats(bf16.load(name, ScalarType.Float, null));
      assertThat(Arrays.equals(a, b)).isTrue();
    }
  }

  @Test
  void writer_rejectsDuplicateNames() {
    try (PointerScope scope = new PointerScope()) {
      SafeTensorsWriter w = new SafeTensorsWriter().put("a", Tensors.fromFloats(new float[] {1}, 1));
      assertThatThrownBy(() -> w.put("a", Tensors.fromFloats(new float[] {2}, 1))).hasMessageContaining("twice");
    }
  }
}
