package dev.lathe.config;

/**
 * One preview prompt of the SAMPLE panel. A null override takes the value of the SAMPLE panel.
 *
 * @param prompt the text; {@code [trigger]} is replaced by the trigger word (never prepended)
 * @param seed fixed seed for this prompt, or null for the panel's (walked) seed
 * @param width width override, or null
 * @param height height override, or null
 * @param loraScale multiplier of the LoRA while drawing this prompt
 * @param controlImage control image for edit models; "" = none
 * @param negativePrompt negative prompt override, or null
 */
public record SamplePrompt(String prompt, Long seed, Integer width, Integer height, double loraScale,
    String controlImage, String negativePrompt) {
  public static final SamplePrompt DEFAULTS = new SamplePrompt("", null, null, null, 1.0, "", null);

  /** A prompt with every override left to the panel. */
  public static SamplePrompt of(String prompt) {
    return new SamplePrompt(prompt, null, null, null, 1.0, "", null);
  }
}
