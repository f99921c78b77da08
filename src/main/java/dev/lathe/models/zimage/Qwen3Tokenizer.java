package dev.lathe.models.zimage;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lathe.torch.Tensors;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;

/**
 * Z-Image's prompt tokenizer: the model's own {@code tokenizer.json} (byte-level BPE, run by the Rust tokenizers
 * library through DJL, CPU only and offline) behind the fixed chat template, truncated at 512 tokens and
 * right-padded with the file's {@code <|endoftext|>}. Special-token ids always come from the file.
 */
final class Qwen3Tokenizer implements AutoCloseable {
  /** The pipeline's max_length: the rendered template is cut here (the closing tokens are lost for long prompts). */
  static final int MAX_LENGTH = 512;
  static final String PAD_TOKEN = "<|endoftext|>";
  static final List<String> TEMPLATE_TOKENS = List.of("<|im_start|>", "<|im_end|>");

  static {
    // DJL picks a CUDA build of its natives on GPU machines and downloads it; the CPU build ships in the jar.
    if (System.getenv("RUST_FLAVOR") == null && System.getProperty("RUST_FLAVOR") == null) System.setProperty("RUST_FLAVOR", "cpu");
    if (System.getenv("DJL_OFFLINE") == null && System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  private final Path file;
  private final HuggingFaceTokenizer tokenizer;
  private final long padId;

  private Qwen3Tokenizer(Path file, HuggingFaceTokenizer tokenizer, long padId) {
    this.file = file;
    this.tokenizer = tokenizer;
    this.padId = padId;
  }

  /**
   * The one chat turn Z-Image renders around a prompt (Qwen3's template with add_generation_prompt and thinking
   * enabled, which adds no think block): user turn, then the opening of the assistant turn.
   */
  static String template(String prompt) {
    return "<|im_start|>user\n" + prompt + "<|im_end|>\n<|im_start|>assistant\n";
  }

  /**
   * Opens a tokenizer.json.
   *
   * @throws IOException naming the file when it is missing, not a tokenizer, or lacks the special tokens the template
   *     needs
   */
  static Qwen3Tokenizer open(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such file");
    }
    return fromJson(bytes, file);
  }

  /** A tokenizer from tokenizer.json bytes; {@code file} names it in messages. */
  static Qwen3Tokenizer fromJson(byte[] bytes, Path file) throws IOException {
    Map<String, Long> added = specialTokens(file, bytes);
    for (String s : TEMPLATE_TOKENS) {
      if (!added.containsKey(s)) throw new IOException(file + ": no added token " + s + "; this is not a Qwen tokenizer");
    }
    if (!added.containsKey(PAD_TOKEN)) throw new IOException(file + ": no added token " + PAD_TOKEN + " to pad with");
    Map<String, String> options = new HashMap<>();
    options.put("addSpecialTokens", "true");    // the pipeline's default; Qwen's post-processor adds none
    options.put("truncation", "true");
    options.put("maxLength", Integer.toString(MAX_LENGTH));
    options.put("padding", "false");            // padded here, with the file's pad id
    HuggingFaceTokenizer tk;
    try {
      tk = HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(bytes), options);
    } catch (RuntimeException e) {
      throw new IOException(file + ": the tokenizers library rejected it: " + firstLine(e));
    }
    // ids as the library assigns them: an added token missing from the model vocab is numbered after it, whatever
    // its "id" field says, so the file's ids are read through the tokenizer, never from the JSON or from constants
    long pad = -1;
    for (String s : List.of(PAD_TOKEN, TEMPLATE_TOKENS.get(0), TEMPLATE_TOKENS.get(1))) {
      long[] ids = tk.encode(s, false, false).getIds();
      if (ids.length != 1) {
        tk.close();
        throw new IOException(file + ": " + s + " does not encode to a single token");
      }
      if (s.equals(PAD_TOKEN)) pad = ids[0];
    }
    return new Qwen3Tokenizer(file, tk, pad);
  }

  /** content → id of every {@code added_tokens} entry. */
  private static Map<String, Long> specialTokens(Path file, byte[] bytes) throws IOException {
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(bytes);
    } catch (IOException e) {
      throw new IOException(file + ": not valid JSON: " + firstLine(e));
    }
    if (root == null || !root.has("model")) throw new IOException(file + ": not a tokenizer.json (no \"model\")");
    Map<String, Long> out = new HashMap<>();
    for (JsonNode t : root.path("added_tokens")) out.put(t.path("content").asText(), t.path("id").asLong());
    return out;
  }

  /**
   * A byte-level tokenizer.json with no merges (every UTF-8 byte is one token, ids 0..255) and the three special
   * tokens at 256..258: what random models use, so the demo and tests run the real tokenizer path without a download.
   */
  static byte[] byteLevelJson() {
    ObjectMapper json = new ObjectMapper();
    var root = json.createObjectNode();
    root.put("version", "1.0");
    var added = root.putArray("added_tokens");
    var model = json.createObjectNode();
    model.put("type", "BPE");
    model.putNull("unk_token");
    model.put("continuing_subword_prefix", "");
    model.put("end_of_word_suffix", "");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    var vocab = model.putObject("vocab");
    int[] symbols = byteSymbols();
    for (int b = 0; b < 256; b++) vocab.put(new String(Character.toChars(symbols[b])), b);
    List<String> specials = List.of(PAD_TOKEN, TEMPLATE_TOKENS.get(0), TEMPLATE_TOKENS.get(1));
    for (int i = 0; i < specials.size(); i++) {
      vocab.put(specials.get(i), 256 + i);
      var t = added.addObject();
      t.put("id", 256 + i).put("content", specials.get(i)).put("single_word", false).put("lstrip", false)
          .put("rstrip", false).put("normalized", false).put("special", true);
    }
    model.putArray("merges");
    var byteLevel = json.createObjectNode();
    byteLevel.put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", false).put("use_regex", true);
    root.set("pre_tokenizer", byteLevel);
    root.set("decoder", byteLevel);
    root.set("model", model);
    try {
      return json.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** GPT-2's byte → printable code point table used by byte-level BPE. */
  private static int[] byteSymbols() {
    int[] out = new int[256];
    boolean[] printable = new boolean[256];
    for (int b = '!'; b <= '~'; b++) printable[b] = true;
    for (int b = 0xA1; b <= 0xAC; b++) printable[b] = true;
    for (int b = 0xAE; b <= 0xFF; b++) printable[b] = true;
    int next = 256;
    for (int b = 0; b < 256; b++) out[b] = printable[b] ? b : next++;
    return out;
  }

  Path file() {
    return file;
  }

  long padId() {
    return padId;
  }

  /** Token ids of the templated prompt, at most {@link #MAX_LENGTH}. */
  long[] encode(String prompt) {
    Encoding e = tokenizer.encode(template(prompt), true, false);
    long[] ids = e.getIds();
    return ids.length > MAX_LENGTH ? Arrays.copyOf(ids, MAX_LENGTH) : ids;
  }

  /** A right-padded batch: ids Long [B, T] (T = the longest) and each row's length. */
  record Batch(Tensor ids, long[] lengths) {}

  Batch batch(List<String> prompts) {
    List<long[]> rows = new ArrayList<>();
    for (String p : prompts) rows.add(encode(p));
    int t = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    long[] flat = new long[rows.size() * t];
    Arrays.fill(flat, padId);
    long[] lengths = new long[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      System.arraycopy(rows.get(i), 0, flat, i * t, rows.get(i).length);
      lengths[i] = rows.get(i).length;
    }
    return new Batch(Tensors.fromLongs(flat, rows.size(), t), lengths);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int i = m.indexOf('\n');
    return i < 0 ? m : m.substring(0, i);
  }
}
