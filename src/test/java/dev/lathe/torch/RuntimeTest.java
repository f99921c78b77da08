package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one device / dtype / threads / memory API, on a machine without a usable GPU (as CI is). */
class RuntimeTest {
  private static int threadsBefore;

  @BeforeAll
  static void load() {
    Runtime.load();
    threadsBefore = torch.get_num_threads();
  }

  @AfterEach
  void restoreThreads() {
    Runtime.create("cpu", null, threadsBefore);
  }

  @Test
  void cpuAndAuto_withoutAGpu_areTheCpuInFp32() {
    assumeFalse(Runtime.cudaUsable(), "a GPU is present");
    for (String d : new String[] {"cpu", "auto", " CPU ", null}) {
      Runtime rt = Runtime.create(d, null, 1);
      assertThat(rt.isCuda()).as(String.valueOf(d)).isFalse();
      assertThat(rt.deviceName()).isEqualTo("cpu");
      assertThat(rt.computeDtype()).isEqualTo(ScalarType.Float);
    }
  }

  @Test
  void jobsWithoutAGpu_runOnTheCpuInFp32_whateverTheirDtype() {
    assumeFalse(Runtime.cudaUsable(), "a GPU is present");
    Runtime rt = Runtime.preferGpu(1, "bf16");
    assertThat(rt.deviceName()).isEqualTo("cpu");
    assertThat(rt.computeDtype()).isEqualTo(ScalarType.Float);
    assertThat(Runtime.preferredDevice(1)).isEqualTo("cpu");
  }

  @Test
  void explicitDtype_isHonoured_andSynonymsParse() {
    assertThat(Runtime.create("cpu", "bf16", 1).computeDtype()).isEqualTo(ScalarType.BFloat16);
    assertThat(Runtime.parseDtype("float32")).isEqualTo(ScalarType.Float);
    assertThat(Runtime.parseDtype(" BFloat16")).isEqualTo(ScalarType.BFloat16);
    assertThat(Runtime.parseDtype("half")).isEqualTo(ScalarType.Half);
    assertThatThrownBy(() -> Runtime.parseDtype("fp8")).hasMessage("dtype 'fp8' is not one of fp32, bf16, fp16");
  }

  @Test
  void badDevices_areRejectedWithTheValueNamed() {
    assertThatThrownBy(() -> Runtime.create("tpu", null, 1))
        .hasMessage("device 'tpu' is not one of auto, cpu, cuda, cuda:N");
    if (!Runtime.cudaUsable()) {
      assertThatThrownBy(() -> Runtime.create("cuda:0", null, 1))
          .hasMessageStartingWith("device 'cuda:0': no CUDA GPU is usable here (")
          .hasMessageContaining(Runtime.cudaAbsenceReason());
    } else {
      assertThatThrownBy(() -> Runtime.create("cuda:x", null, 1)).hasMessageContaining("GPU index 'x' is not a number");
    }
  }

  @Test
  void threads_setLibtorchsIntraOpPool() {
    Runtime rt = Runtime.create("cpu", null, 2);
    assertThat(rt.threads()).isEqualTo(2);
    assertThat(torch.get_num_threads()).isEqualTo(2);
    Runtime.create("cpu", null, 1);
    assertThat(torch.get_num_threads()).isEqualTo(1);
  }

  @Test
  void defaultThreads_followLatheThreads_elseKeepOneCoreForTheConsole() {
    int cores = java.lang.Runtime.getRuntime().availableProcessors();
    String before = System.getProperty("lathe.threads");
    try {
      System.setProperty("lathe.threads", "3");
      assertThat(Runtime.defaultThreads(false)).isEqualTo(3);
      System.setProperty("lathe.threads", "not a number");
      assertThat(Runtime.defaultThreads(false)).isEqualTo(Math.max(1, cores - 1));
      assertThat(Runtime.defaultThreads(true)).isEqualTo(cores);
    } finally {
      if (before == null) System.clearProperty("lathe.threads");
      else System.setProperty("lathe.threads", before);
    }
  }

  @Test
  void memoryOnTheCpu_isTheProcessRss_andGrowsWithATouchedTensor() {
    Runtime rt = Runtime.create("cpu", null, 1);
    MemoryStats before = rt.memory();
    assertThat(before.hasDevice()).isFalse();
    assertThat(before.deviceTotal()).isEqualTo(-1);
    assertThat(before.used()).isEqualTo(before.rssBytes()).isPositive();
    assertThat(before.total()).isEqualTo(Runtime.physicalRam()).isGreaterThan(before.used());
    // RSS also moves with everything else in the JVM (a GC uncommitting heap, JavaCPP freeing earlier tests' tensors),
    // so one attempt may see less growth than it caused. A few attempts; a memory() that does not follow RSS fails all.
    long mib256 = 256L << 20;
    long bestGrowth = 0, bestDrop = 0;
    for (int attempt = 0; attempt < 3 && (bestGrowth <= mib256 * 9 / 10 || bestDrop <= mib256 * 9 / 10); attempt++) {
      long start = rt.memory().rssBytes();
      MemoryStats during;
      try (PointerScope scope = new PointerScope()) {
        Tensor t = torch.empty(new long[] {mib256}, new TensorOptions(ScalarType.Byte), new MemoryFormatOptional());
        t.fill_(new org.bytedeco.pytorch.Scalar(1));   // touch every page so it is resident
        during = rt.memory();
        assertThat(during.peak()).isGreaterThanOrEqualTo(during.rssBytes() - (64L << 20));
      }
      long after = rt.memory().rssBytes();   // the tensor's pages go back to the system when the scope frees it
      bestGrowth = Math.max(bestGrowth, during.rssBytes() - start);
      bestDrop = Math.max(bestDrop, during.rssBytes() - after);
    }
    assertThat(bestGrowth).as("RSS growth with a touched 256 MiB tensor").isGreaterThan(mib256 * 9 / 10);
    assertThat(bestDrop).as("RSS drop when it is freed").isGreaterThan(mib256 * 9 / 10);
  }

  @Test
  void synchronize_onTheCpu_isANoOp() {
    Runtime.create("cpu", null, 1).synchronize();
    assertThat(Tensors.acceleratorOf(torch.ones(2))).isNull();
  }
}
