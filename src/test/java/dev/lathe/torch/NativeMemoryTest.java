package dev.lathe.torch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The watchdog that replaces JavaCPP's per-allocation RSS check: its limit, its pacing, and that it frees memory. */
class NativeMemoryTest {
  private static final long GIB = 1L << 30;

  @Test
  void limit_is90PercentOfTheSmallerOfRamAndCgroup_orTheOverride() {
    assertThat(NativeMemory.limitBytes(10 * GIB, -1, null)).isEqualTo(9 * GIB);
    assertThat(NativeMemory.limitBytes(10 * GIB, 4 * GIB, null)).isEqualTo(4 * GIB / 10 * 9);
    assertThat(NativeMemory.limitBytes(-1, 2 * GIB, "")).isEqualTo(2 * GIB / 10 * 9);
    assertThat(NativeMemory.limitBytes(-1, -1, null)).as("nothing known: no watchdog").isZero();
    assertThat(NativeMemory.limitBytes(10 * GIB, 4 * GIB, " 123456789 ")).isEqualTo(123456789L);
    assertThatThrownBy(() -> NativeMemory.limitBytes(10 * GIB, -1, "8G"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lathe.gcAtRssBytes=8G").hasMessageContaining("bytes");
    assertThatThrownBy(() -> NativeMemory.limitBytes(10 * GIB, -1, "0")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void guard_collectsOnlyAboveTheLimit_andAtMostOnceEveryTenSeconds() {
    AtomicLong rss = new AtomicLong(500);
    AtomicLong now = new AtomicLong(0);
    AtomicInteger collected = new AtomicInteger();
    NativeMemory.Guard g = new NativeMemory.Guard(1000, rss::get, now::get, collected::incrementAndGet);

    assertThat(g.check()).isFalse();
    rss.set(1000);
    assertThat(g.check()).as("at the limit is not over it").isFalse();
    rss.set(1001);
    assertThat(g.check()).isTrue();
    now.addAndGet(NativeMemory.MIN_GC_INTERVAL_NANOS - 1);
    assertThat(g.check()).as("too soon after the last collection").isFalse();
    now.addAndGet(1);
    assertThat(g.check()).isTrue();
    rss.set(10);
    now.addAndGet(NativeMemory.MIN_GC_INTERVAL_NANOS);
    assertThat(g.check()).isFalse();
    assertThat(collected.get()).isEqualTo(2);
  }

  @Test
  void configure_turnsJavaCppsCheckOff_unlessTheCommandLineChoseAValue() {
    String before = System.getProperty(NativeMemory.PROPERTY);
    try {
      System.clearProperty(NativeMemory.PROPERTY);
      NativeMemory.configure();
      assertThat(System.getProperty(NativeMemory.PROPERTY)).isEqualTo("0");
      System.setProperty(NativeMemory.PROPERTY, "123");
      NativeMemory.configure();
      assertThat(System.getProperty(NativeMemory.PROPERTY)).isEqualTo("123");
    } finally {
      if (before == null) System.clearProperty(NativeMemory.PROPERTY);
      else System.setProperty(NativeMemory.PROPERTY, before);
    }
    // the test JVMs run as the launcher does (pom.xml's argLine): no per-allocation check
    assertThat(Pointer.maxPhysicalBytes()).isZero();
  }

  @Test
  void aCollectionAboveTheLimit_freesTensorsThatNoScopeOwned() throws Exception {
    Runtime.load();
    long before = Pointer.physicalBytes();
    List<Tensor> dropped = new ArrayList<>();
    for (int i = 0; i < 4; i++) dropped.add(torch.ones(16L << 20));   // 4 × 64 MiB, written, outside any PointerScope
    long loaded = Pointer.physicalBytes();
    assertThat(loaded - before).as("the tensors are resident").isGreaterThan(200L << 20);
    dropped.clear();   // unreachable now: only a collection gives their memory back

    NativeMemory.Guard g = new NativeMemory.Guard(loaded - (64L << 20), Pointer::physicalBytes, System::nanoTime, System::gc);
    assertThat(g.check()).isTrue();
    long after = loaded;
    for (int i = 0; i < 100 && loaded - after < (192L << 20); i++) {
      Thread.sleep(50);   // JavaCPP's deallocator thread frees what the collector found
      after = Pointer.physicalBytes();
    }
    assertThat(loaded - after).as("RSS given back").isGreaterThan(192L << 20);
  }
}
