package dev.lathe.data;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The caption rules, applied each time an image is drawn, in this order (docs/DATASETS.md):
 * <ol>
 *   <li>the image's caption, or the dataset's default caption when it has none;</li>
 *   <li>caption dropout: with the dataset's rate the caption becomes empty;</li>
 *   <li>{@code [trigger]} and {@code [name]} are replaced by the trigger word (the dataset's own trigger beats
 *       the job's); a training (non-regularization) caption that still lacks the trigger gets
 *       {@code "<trigger> "} in front. A dropped caption therefore becomes the trigger alone, and a dropped
 *       regularization caption stays empty. With no trigger set the placeholders are removed.</li>
 * </ol>
 * Sample prompts get the replacement but never the prepend ({@link #replacePlaceholders}).
 */
public final class Captions {
  /** The placeholders a caption may carry; both stand for the trigger word. */
  public static final String TRIGGER = "[trigger]";
  public static final String NAME = "[name]";

  private Captions() {}

  /**
   * The caption the model sees.
   *
   * @param base the image's caption or the default caption (never null; may be empty)
   * @param dropped whether caption dropout fired for this draw
   * @param trigger the effective trigger word, or null
   * @param regularization whether the image belongs to a regularization dataset
   */
  public static String finalCaption(String base, boolean dropped, String trigger, boolean regularization) {
    String c = dropped ? "" : base;
    if (trigger == null) return replacePlaceholders(c, null);
    c = replacePlaceholders(c, trigger);
    if (!regularization && !containsWord(c, trigger)) c = c.isEmpty() ? trigger : trigger + " " + c;
    return c;
  }

  /**
   * Replaces {@code [trigger]} and {@code [name]} by {@code trigger}; with a null trigger removes them and tidies
   * the spaces and commas they leave behind.
   */
  public static String replacePlaceholders(String caption, String trigger) {
    if (trigger != null) return caption.replace(TRIGGER, trigger).replace(NAME, trigger).strip();
    if (!hasPlaceholder(caption)) return caption.strip();
    return tidy(caption.replace(TRIGGER, "").replace(NAME, ""));
  }

  /** The trigger for a dataset: its own if set, else the job's; null when neither is set. */
  public static String effectiveTrigger(String datasetTrigger, String jobTrigger) {
    if (datasetTrigger != null && !datasetTrigger.isBlank()) return datasetTrigger.strip();
    if (jobTrigger != null && !jobTrigger.isBlank()) return jobTrigger.strip();
    return null;
  }

  /** Whether {@code caption} holds a placeholder that the trigger replaces. */
  public static boolean hasPlaceholder(String caption) {
    return caption.contains(TRIGGER) || caption.contains(NAME);
  }

  /**
   * Whether {@code caption} holds {@code word} as a whole word (not inside a longer word: "sks" is not in
   * "asks"). Case-sensitive, as trigger words are made-up tokens.
   */
  public static boolean containsWord(String caption, String word) {
    if (word.isEmpty()) return false;
    int from = 0;
    while (true) {
      int i = caption.indexOf(word, from);
      if (i < 0) return false;
      int end = i + word.length();
      if ((i == 0 || !wordChar(caption.codePointBefore(i))) && (end == caption.length() || !wordChar(caption.codePointAt(end))))
        return true;
      from = i + 1;
    }
  }

  /**
   * The prompt for Differential Output Preservation: each whole-word occurrence of the trigger is replaced by
   * the preservation class ("sks_neo at the beach" → "person at the beach"). Unchanged when trigger is null.
   */
  public static String preservationPrompt(String finalCaption, String trigger, String preservationClass) {
    if (trigger == null || trigger.isEmpty()) return finalCaption;
    Matcher m = Pattern.compile("(?<![\\p{L}\\p{N}_])" + Pattern.quote(trigger) + "(?![\\p{L}\\p{N}_])").matcher(finalCaption);
    return m.replaceAll(Matcher.quoteReplacement(preservationClass == null ? "" : preservationClass)).strip();
  }

  private static boolean wordChar(int cp) {
    return Character.isLetterOrDigit(cp) || cp == '_';
  }

  /** Collapses the gaps a removed placeholder leaves: double spaces, " ,", empty comma items, edge commas. */
  static String tidy(String s) {
    String t = s.replaceAll("[ \\t]+", " ").replaceAll(" +([,.;:])", "$1").replaceAll(",(\\s*,)+", ",");
    t = t.strip();
    t = t.replaceAll("^[,;:]\\s*", "").replaceAll("\\s*[,;:]$", "");
    return t.strip();
  }

  /** What reading a caption file gave: the text, or why it cannot be used. */
  record Read(String text, String problem) {}

  /**
   * Decodes a caption file: strict UTF-8 (a byte-order mark is dropped), lines trimmed, blank lines dropped, the
   * rest joined with single spaces. Empty or undecodable files give a problem and no text.
   */
  static Read decode(byte[] bytes) {
    if (bytes.length == 0) return new Read(null, "empty caption file (0 bytes)");
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    String s;
    try {
      s = dec.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return new Read(null, "not valid UTF-8 (at byte " + firstBadByte(bytes) + "); save it as UTF-8");
    }
    if (!s.isEmpty() && s.charAt(0) == '\uFEFF') s = s.substring(1);
    String text = normalize(s);
    if (text.isEmpty()) return new Read(null, "caption file holds only white space");
    return new Read(text, null);
  }

  /** Strict UTF-8 of a whole file (byte-order mark dropped), no other change. */
  static Read decodeRaw(byte[] bytes) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      String s = dec.decode(ByteBuffer.wrap(bytes)).toString();
      return new Read(!s.isEmpty() && s.charAt(0) == '\uFEFF' ? s.substring(1) : s, null);
    } catch (CharacterCodingException e) {
      return new Read(null, "not valid UTF-8 (at byte " + firstBadByte(bytes) + "); save it as UTF-8");
    }
  }

  /** Lines trimmed, blank ones dropped, joined by single spaces. */
  static String normalize(String s) {
    StringBuilder b = new StringBuilder();
    for (String line : s.split("\\R")) {
      String t = line.strip();
      if (t.isEmpty()) continue;
      if (b.length() > 0) b.append(' ');
      b.append(t);
    }
    return b.toString();
  }

  private static int firstBadByte(byte[] b) {
    CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(b);
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(b.length + 1);
    var r = dec.decode(in, out, true);
    return r.isError() ? in.position() : b.length;
  }
}
