package dev.lathe.models.zimage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.testing.Fixtures;
import dev.lathe.torch.Runtime;
import dev.lathe.torch.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer against a hand-written byte-level BPE (src/test/resources/tokenizers/qwen-tiny): vocabulary = the 256
 * byte symbols at their byte values, merges "u s", "e r", "us er", "Ġ t", "h e" (ids 256..260), and the special tokens
 * in the vocab at ids the real Qwen tokenizer does not use, in another order: {@code <|im_end|>} 300, {@code <|endoftext|>} 301,
 * {@code <|im_start|>} 302.
 */
class Qwen3TokenizerTest {
  static final long IM_END = 300, PAD = 301, IM_START = 302;
  static final long USER = 258, NL = 10;   // "user" after three merges; '\n' is the byte symbol Ċ at id 10
  static Qwen3Tokenizer tok;

  @BeforeAll
  static void open() throws IOException {
    Runtime.load();
    tok = Qwen3Tokenizer.open(Fixtures.path("../tokenizers/qwen-tiny/tokenizer.json"));
  }

  @Test
  void template_isTheExactChatTurn() {
    assertThat(Qwen3Tokenizer.template("a red fox")).isEqualTo("<|im_start|>user\na red fox<|im_end|>\n<|im_start|>assistant\n");
  }

  @Test
  void encode_templateIdsComeFromTheFile() {
    long[] a = {'a', 's', 's', 'i', 's', 't', 'a', 'n', 't'};
    long[] expected = concat(new long[] {IM_START, USER, NL, 'h', 'i', IM_END, NL, IM_START}, a, new long[] {NL});
    assertThat(tok.encode("hi")).containsExactly(expected);
    assertThat(tok.padId()).isEqualTo(PAD);
  }

  @Test
  void encode_mergesAndPreSplit() {
    // " the" pre-splits as one piece "Ġthe": merges Ġ t → Ġt (259) and h e → he (260) both apply
    long[] ids = tok.encode("the the");
    assertThat(java.util.Arrays.copyOfRange(ids, 3, 3 + 4)).containsExactly('t', 260, 259, 260);
  }

  @Test
  void encode_longPrompt_truncatedAt512() {
    long[] ids = tok.encode("x".repeat(2000).replace("x", "x "));
    assertThat(ids).hasSize(512);
    assertThat(ids[0]).isEqualTo(IM_START);
    assertThat(ids[511]).isNotEqualTo(NL);   // the closing template tokens were cut, as the pipeline cuts them
  }

  @Test
  void batch_rightPaddedWithTheFilesPadId() {
    try (PointerScope s = new PointerScope()) {
      Qwen3Tokenizer.Batch b = tok.batch(List.of("hi", "hi there"));
      assertThat(b.lengths()).containsExactly(18, 22);
      long[] flat = Tensors.toLongs(b.ids());
      assertThat(Tensors.shape(b.ids())).containsExactly(2, 22);
      for (int j = 18; j < 22; j++) assertThat(flat[j]).isEqualTo(PAD);
      assertThat(flat[22 + 21]).isEqualTo(NL);
    }
  }

  @Test
  void open_withoutTemplateTokens_namesTheFileAndToken(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("tokenizer.json");
    Files.writeString(f, Files.readString(Fixtures.path("../tokenizers/qwen-tiny/tokenizer.json")).replace("<|im_start|>", "<|start|>"));
    assertThatThrownBy(() -> Qwen3Tokenizer.open(f)).hasMessage(f + ": no added token <|im_start|>; this is not a Qwen tokenizer");
  }

  @Test
  void open_missingFile_oneLine(@TempDir Path dir) {
    Path f = dir.resolve("nope.json");
    assertThatThrownBy(() -> Qwen3Tokenizer.open(f)).hasMessage(f + ": no such file");
  }

  private static long[] concat(long[]... parts) {
    return java.util.Arrays.stream(parts).flatMapToLong(java.util.Arrays::stream).toArray();
  }
}
