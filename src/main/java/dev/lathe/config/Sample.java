package dev.lathe.config;

import java.util.List;

/**
 * SAMPLE panel: the previews drawn while training.
 *
 * @param every steps between previews
 * @param sampler the sampling algorithm; must match the family's objective
 * @param width preview width
 * @param height preview height
 * @param seed base seed
 * @param walkSeed prompt i uses seed + i instead of the same seed for all
 * @param guidanceScale classifier-free guidance; 0 = none (what guidance-distilled turbo models want)
 * @param steps denoising steps per preview
 * @param numFrames frames per preview (video families)
 * @param fps frame rate of video previews
 * @param negativePrompt negative prompt for every preview
 * @param skipFirstSample do not draw the baseline previews at step 0
 * @param forceFirstSample draw baseline previews even when resuming
 * @param disableSampling draw no previews at all
 * @param prompts the prompts; the default three follow the guides' advice: one that shows the LoRA switches on,
 *     one that shows it generalises, one without the trigger that shows whether it leaks
 */
public record Sample(int every, Sampler sampler, int width, int height, long seed, boolean walkSeed,
    double guidanceScale, int steps, int numFrames, int fps, String negativePrompt, boolean skipFirstSample,
    boolean forceFirstSample, boolean disableSampling, List<SamplePrompt> prompts) {
  public static final Sample DEFAULTS = new Sample(250, Sampler.FLOWMATCH, 1024, 1024, 42, true, 4.0, 25, 1, 16, "",
      false, false, false, List.of(
          SamplePrompt.of("[trigger], close-up photo, soft natural light"),
          SamplePrompt.of("[trigger] in a busy city street at night, wide shot"),
          SamplePrompt.of("a close-up photo, soft natural light")));

  public Sample {
    prompts = List.copyOf(prompts);
  }

  public enum Sampler implements Choice {
    FLOWMATCH("flowmatch", "FlowMatch", List.of("flow_match", "flowmatch_euler", "euler_flow")),
    DDPM("ddpm", "DDPM", List.of());

    private final String key;
    private final String label;
    private final List<String> aliases;

    Sampler(String key, String label, List<String> aliases) {
      this.key = key;
      this.label = label;
      this.aliases = aliases;
    }

    @Override public String key() { return key; }
    @Override public String label() { return label; }
    @Override public List<String> aliases() { return aliases; }
  }
}
