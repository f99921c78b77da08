package dev.lathe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The shapes the thread bench times are the bench sizes' real joint sequences. */
class ThreadScalingTest {
  @Test
  void tokens_areTheJointSequence_imageAndCaptionPaddedTo32_timesTheBatch() {
    // tiny: 2 items of 16x1x16x24 latents (8·12 = 96 image tokens) and 13 caption tokens (padded to 32)
    assertThat(ThreadScaling.tokens(BenchSize.TINY)).isEqualTo(2 * (96 + 32));
    // small: 16·16 = 256 image tokens, 77 caption tokens padded to 96 (the seq_len the train bench reports)
    assertThat(ThreadScaling.tokens(BenchSize.SMALL)).isEqualTo(352);
    assertThat(ThreadScaling.tokens(BenchSize.MEDIUM)).isEqualTo(1024 + 128);
  }
}
