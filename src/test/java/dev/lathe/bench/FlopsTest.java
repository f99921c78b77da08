package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The analytic count equals the reference's, which equals torch.profiler's mm/addmm/bmm FLOPs (scripts/bench/README.md). */
class FlopsTest {
  @Test
  void trainStep_matchesProfilerCounts() {
    assertThat(new Flops(BenchSize.TINY.config(), 2, 96, 32, 16).trainStep(false).total()).isEqualTo(278_822_912L);
    assertThat(new Flops(BenchSize.SMALL.config(), 1, 256, 96, 16).trainStep(false).total()).isEqualTo(7_914_512_384L);
    assertThat(new Flops(BenchSize.SMALL.config(), 1, 256, 96, 16).trainStep(true).total()).isEqualTo(10_856_497_152L);
  }

  @Test
  void forward_withoutAdapter_isTheBaseModelOnly() {
    Flops none = new Flops(BenchSize.SMALL.config(), 1, 256, 96, 0);
    Flops lora = new Flops(BenchSize.SMALL.config(), 1, 256, 96, 16);
    assertThat(none.forward()).isLessThan(lora.forward());
    // one main block's base Linears alone: 4·dim² + 3·dim·ffn weights, 2 FLOPs per weight per token
    long d = 256, ffn = 682, u = 352;
    assertThat(none.forward()).isGreaterThan(4 * 2 * u * (4 * d * d + 3 * d * ffn));
  }
}
